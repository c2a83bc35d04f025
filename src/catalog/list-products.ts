import type { Db } from '../db/knex';
import { listProducts } from '../db/products.repo';
import { AppError } from '../errors';
import type { Actor } from '../orders/policy';
import { productView, type ProductView } from '../orders/view';
import { idCursor } from '../cursor';

export interface ProductListRequest {
  limit: number;
  /** The id of the last product of the previous page (decoded from the cursor). */
  after?: string | undefined;
}

/**
 * Newest first: a merchant's own products, or every product for an admin.
 * @throws AppError forbidden for a buyer (a catalogue listing is a back-office view;
 * buyers read the products they are given by id).
 */
export async function listVisibleProducts(
  db: Db,
  actor: Actor,
  req: ProductListRequest,
): Promise<{ products: ProductView[]; nextCursor: string | null }> {
  if (actor.role !== 'merchant' && actor.role !== 'admin')
    throw new AppError('forbidden', 'Only merchants and admins list products.');
  const rows = await listProducts(db, {
    merchantId: actor.role === 'merchant' ? actor.id : undefined,
    after: req.after,
    limit: req.limit + 1,
  });
  const { items, nextCursor } = productCursor.page(rows, req.limit);
  return { products: items.map(productView), nextCursor };
}

const productCursor = idCursor('p');
/** @returns the product id, or undefined when the cursor is not a product list's. */
export const decodeProductCursor = productCursor.decode;
