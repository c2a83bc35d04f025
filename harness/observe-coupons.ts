import type { Knex } from 'knex';
import type { ClaimRow, CouponRow, GiftRow } from './types';

/**
 * The run's merchants' coupons with their claims, and the gifts issued to their orders,
 * read in the caller's (repeatable-read) transaction, so they agree with its orders.
 */
export async function readCouponsAndGifts(
  trx: Knex.Transaction,
  merchantIds: string[],
): Promise<{ coupons: CouponRow[]; claims: ClaimRow[]; gifts: GiftRow[] }> {
  const coupons = await trx('coupons').whereIn('merchant_id', merchantIds).select<
    {
      id: string;
      merchant_id: string;
      discount_cents: string;
      total_quantity: number;
      claimed: number;
    }[]
  >('id', 'merchant_id', 'discount_cents', 'total_quantity', 'claimed');
  const claims = await trx('coupon_claims')
    .whereIn('coupon_id', trx('coupons').whereIn('merchant_id', merchantIds).select('id'))
    .select<{ coupon_id: string; buyer_id: string; state: string; order_id: string | null }[]>(
      'coupon_id',
      'buyer_id',
      'state',
      'order_id',
    );
  const gifts = await trx('order_gifts')
    .whereIn('order_id', trx('orders').whereIn('merchant_id', merchantIds).select('id'))
    .select<{ order_id: string; product_id: string; quantity: number }[]>(
      'order_id',
      'product_id',
      'quantity',
    );
  return {
    coupons: coupons.map((c) => ({
      id: c.id,
      merchantId: c.merchant_id,
      discountCents: Number(c.discount_cents),
      totalQuantity: c.total_quantity,
      claimed: c.claimed,
    })),
    claims: claims.map((c) => ({
      couponId: c.coupon_id,
      buyerId: c.buyer_id,
      state: c.state,
      orderId: c.order_id,
    })),
    gifts: gifts.map((g) => ({
      orderId: g.order_id,
      productId: g.product_id,
      quantity: g.quantity,
    })),
  };
}
