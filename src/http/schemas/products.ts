import { cents, currency, cursorParam, id, text, timestamp, uuid } from './common';
import { z } from './zod';
import { decodeProductCursor } from '../../catalog/list-products';

/** `POST /v1/products` body. */
export const createProductBody = z
  .object({
    sku: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ -'),
    name: text(200),
    /** At most 10^9 minor units, so that 50 lines x 1000 units stay exact integers. */
    priceCents: z.number().int().min(0).max(1_000_000_000),
    currency: currency.default('USD'),
    stock: z.number().int().min(0).max(1_000_000_000),
    perBuyerLimit: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .openapi({ description: 'The most units one buyer may hold at once.' })
      .optional(),
    saleStartsAt: z
      .string()
      .datetime({ offset: true })
      .transform((value) => new Date(value))
      .openapi({
        type: 'string',
        format: 'date-time',
        description: 'No order is placed before this time (the database clock).',
      })
      .optional(),
    giftProductId: uuid
      .openapi({ description: 'Another product of the same merchant, given with each unit.' })
      .optional(),
  })
  .strict()
  .openapi('CreateProductRequest');

/** `POST /v1/products/{id}/restock` body. */
export const restockBody = z
  .object({ quantity: z.number().int().min(1).max(1_000_000_000) })
  .strict()
  .openapi('RestockRequest');

/** `GET /v1/products` query. */
export const listProductsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: cursorParam(decodeProductCursor),
  })
  .strict();

/** A product as the API shows it (src/orders/view.ts `productView`). */
export const Product = z
  .object({
    id,
    merchantId: z.string(),
    sku: z.string(),
    name: z.string(),
    priceCents: cents,
    currency,
    /** What is left to sell. */
    stock: z.number().int().min(0),
    perBuyerLimit: z.number().int().min(1).max(1000).nullable(),
    saleStartsAt: timestamp.nullable(),
    giftProductId: id.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .strict()
  .openapi('Product');

/** One page of `GET /v1/products`, newest first. */
export const ProductPage = z
  .object({
    products: z.array(Product),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  })
  .strict()
  .openapi('ProductPage');
