import type { StoredResponse } from '../db/idempotency.repo';
import type { OrderView, ProductView } from '../orders/view';

/** The strong ETag of an order version. */
export const etagOf = (version: number): string => `"${version}"`;

/** 200 with the order as a transition left it, and its ETag. */
export function transitioned(order: OrderView): StoredResponse {
  return { status: 200, headers: { ETag: etagOf(order.version) }, body: order };
}

/** 201 with the new order, its Location and its ETag. */
export function orderCreated(order: OrderView): StoredResponse {
  return {
    status: 201,
    headers: { ETag: etagOf(order.version), Location: `/v1/orders/${order.id}` },
    body: order,
  };
}

/** 201 with the new product and its Location. */
export function productCreated(product: ProductView): StoredResponse {
  return { status: 201, headers: { Location: `/v1/products/${product.id}` }, body: product };
}

/** 200 with the product as a restock left it. */
export function productRestocked(product: ProductView): StoredResponse {
  return { status: 200, headers: {}, body: product };
}
