import type { ClaimRow, CouponRow } from '../db/coupons.repo';

/** The coupon as the API shows it; `validFrom` / `validUntil` are null when open. */
export function couponView(row: CouponRow) {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    code: row.code,
    discountCents: row.discount_cents,
    minOrderCents: row.min_order_cents,
    totalQuantity: row.total_quantity,
    claimed: row.claimed,
    validFrom: row.valid_from?.toISOString() ?? null,
    validUntil: row.valid_until?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

export type CouponView = ReturnType<typeof couponView>;

/** A buyer's claim as the API shows it; `orderId` is null while `available`. */
export function claimView(row: ClaimRow) {
  return {
    couponId: row.coupon_id,
    buyerId: row.buyer_id,
    state: row.state,
    orderId: row.order_id,
    claimedAt: row.claimed_at.toISOString(),
  };
}

export type ClaimView = ReturnType<typeof claimView>;
