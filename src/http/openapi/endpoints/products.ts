import { z } from '../../schemas/zod';
import { uuid } from '../../schemas/common';
import {
  Product,
  ProductPage,
  createProductBody,
  listProductsQuery,
  restockBody,
} from '../../schemas/products';
import type { Endpoint } from '../endpoint';

const productIdParams = z.object({ id: uuid.openapi({ description: "The product's id." }) });

/** The merchant catalogue (src/http/routes/products.ts). */
export const PRODUCT_ENDPOINTS: Endpoint[] = [
  {
    method: 'post',
    path: '/v1/products',
    operationId: 'createProduct',
    summary: "Add a product to the caller's catalogue (merchant)",
    description:
      '`perBuyerLimit`, `saleStartsAt` and `giftProductId` are optional (null when not set); a gift must be another product of the same merchant.',
    tag: 'Products',
    body: { schema: createProductBody, required: true },
    requestHeaders: ['IdempotencyKey'],
    success: {
      status: 201,
      description: 'The product.',
      schema: Product,
      headers: ['Location'],
    },
    problems: [
      'validation_failed',
      'forbidden',
      'sku_exists',
      'invalid_gift',
      'dependency_unavailable',
    ],
  },
  {
    method: 'get',
    path: '/v1/products',
    operationId: 'listProducts',
    summary: 'List products, newest first (merchant: its own; admin: all)',
    description: 'A buyer gets 403: the listing is a back-office view.',
    tag: 'Products',
    query: listProductsQuery,
    success: { status: 200, description: 'One page of products.', schema: ProductPage },
    problems: ['validation_failed', 'forbidden', 'dependency_unavailable'],
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
  {
    method: 'post',
    path: '/v1/products/{id}/restock',
    operationId: 'restockProduct',
    summary: 'Add units to the stock (the owning merchant)',
    description:
      'Adds `quantity` to `stock` atomically, also while a sale runs. Another merchant gets 403; a product is stocked with at most 2^31 - 1 units in all (400 past it).',
    tag: 'Products',
    params: productIdParams,
    body: { schema: restockBody, required: true },
    requestHeaders: ['IdempotencyKey'],
    success: { status: 200, description: 'The product after the restock.', schema: Product },
    problems: ['validation_failed', 'forbidden', 'product_not_found', 'dependency_unavailable'],
  },
];
