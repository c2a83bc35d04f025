// The API's shapes, taken from the zod schemas the server validates and documents with,
// so the page and the API cannot disagree on a field (type-only: nothing of the server
// is bundled).
import type { z } from 'zod';
import type {
  BulkResults,
  Order as OrderSchema,
  OrderEvent as EventSchema,
} from '../../src/http/schemas/orders';
import type { Product as ProductSchema } from '../../src/http/schemas/products';
import type { Problem as ProblemSchema } from '../../src/http/schemas/problem';

export interface Gift {
  productId: string;
  sku: string;
  quantity: number;
}
/** `gifts` is in the contract's order; an API that does not issue gifts yet leaves it out. */
export type Order = z.infer<typeof OrderSchema> & { gifts?: Gift[] };
export type OrderEvent = z.infer<typeof EventSchema>;
export type Product = z.infer<typeof ProductSchema>;
export type Problem = z.infer<typeof ProblemSchema>;
export type BulkResult = z.infer<typeof BulkResults>['results'][number];
export type OrderStatus = Order['status'];
