import { cents, currency, id, text, timestamp } from './common';
import { z } from './zod';

/** `POST /v1/products` body. */
export const createProductBody = z
  .object({
    sku: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ -'),
    name: text(200),
    /** At most 10^9 minor units, so that 50 lines x 1000 units stay exact integers. */
    priceCents: z.number().int().min(0).max(1_000_000_000),
    currency: currency.default('USD'),
    stock: z.number().int().min(0).max(1_000_000_000),
  })
  .strict()
  .openapi('CreateProductRequest');

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
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .strict()
  .openapi('Product');
