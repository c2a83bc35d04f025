import type { StoredResponse } from '../db/idempotency.repo';
import type { ClaimView, CouponView } from '../coupons/view';
import type { BulkOutcome } from '../orders/bulk';
import type { OrderView, ProductView } from '../orders/view';
import { toAppError } from './problem';
import type { CreatedWebhook } from '../webhooks/endpoints';

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

/**
 * 200 with one result per bulk entry: `status` is what the single call would have
 * answered, with the order on success and the problem document otherwise.
 */
export function bulkAnswered(outcomes: BulkOutcome[]): StoredResponse {
  const results = outcomes.map((outcome) => {
    if (outcome.ok) return { id: outcome.orderId, status: 200, order: outcome.order };
    const error = toAppError(outcome.error);
    return { id: outcome.orderId, status: error.status, error: error.toProblem() };
  });
  return { status: 200, headers: {}, body: { results } };
}

/** 201 with the new coupon and its Location. */
export function couponCreated(coupon: CouponView): StoredResponse {
  return { status: 201, headers: { Location: `/v1/coupons/${coupon.id}` }, body: coupon };
}

/** 201 with the buyer's new claim. */
export function claimed(claim: ClaimView): StoredResponse {
  return { status: 201, headers: {}, body: claim };
}

/** 201 with the new webhook endpoint (and its secret, shown only here). */
export function webhookCreated(webhook: CreatedWebhook): StoredResponse {
  return { status: 201, headers: { Location: `/v1/webhooks/${webhook.id}` }, body: webhook };
}
