import { z } from '../../schemas/zod';
import { uuid } from '../../schemas/common';
import { Product, createProductBody } from '../../schemas/products';
import type { Endpoint } from '../endpoint';

const productIdParams = z.object({ id: uuid.openapi({ description: "The product's id." }) });

/** The merchant catalogue (src/http/routes/products.ts). */
export const PRODUCT_ENDPOINTS: Endpoint[] = [
  {
    method: 'post',
    path: '/v1/products',
    operationId: 'createProduct',
    summary: "Add a product to the caller's catalogue (merchant)",
    tag: 'Products',
    body: { schema: createProductBody, required: true },
    requestHeaders: ['IdempotencyKey'],
    success: {
      status: 201,
      description: 'The product.',
      schema: Product,
      headers: ['Location'],
    },
    problems: ['validation_failed', 'forbidden', 'sku_exists', 'dependency_unavailable'],
  },
  {
    method: 'get',
    path: '/v1/products/{id}',
    operationId: 'getProduct',
    summary: 'Read a product (any role)',
    tag: 'Products',
    params: productIdParams,
    success: {
      status: 200,
      description: 'The product; `stock` is what is left to sell.',
      schema: Product,
    },
    problems: ['product_not_found', 'dependency_unavailable'],
  },
];
