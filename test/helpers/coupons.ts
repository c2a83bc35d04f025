import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { ApiContext, Principal } from './api';

/** A coupon as the API answers it. */
export interface CouponBody {
  id: string;
  merchantId: string;
  code: string;
  discountCents: number;
  minOrderCents: number;
  totalQuantity: number;
  claimed: number;
  validFrom: string | null;
  validUntil: string | null;
}

/** `POST /v1/coupons` with a fresh code; `fields` may set any field of the request. */
export async function makeCoupon(
  api: ApiContext,
  merchant: Principal,
  fields: Record<string, unknown> = {},
): Promise<CouponBody> {
  const res = await request(api.app)
    .post('/v1/coupons')
    .set(merchant.auth)
    .send({
      code: `c-${randomUUID().slice(0, 12)}`,
      discountCents: 300,
      totalQuantity: 10,
      ...fields,
    });
  if (res.status !== 201)
    throw new Error(`coupon not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as CouponBody;
}

/** `POST /v1/coupons/:id/claim`. */
export function claim(api: ApiContext, buyer: Principal, couponId: string) {
  return request(api.app).post(`/v1/coupons/${couponId}/claim`).set(buyer.auth).send();
}

/** The buyer's claim row of a coupon, as PostgreSQL has it (undefined when none). */
export async function claimRow(
  api: ApiContext,
  couponId: string,
  buyerId: string,
): Promise<{ state: string; order_id: string | null } | undefined> {
  return (await api
    .db('coupon_claims')
    .select('state', 'order_id')
    .where({ coupon_id: couponId, buyer_id: buyerId })
    .first()) as { state: string; order_id: string | null } | undefined;
}

/** A coupon's count and its claim rows in PostgreSQL. */
export async function claimsOf(
  api: ApiContext,
  couponId: string,
): Promise<{ claimed: number; rows: number; buyers: string[] }> {
  const coupon = (await api.db('coupons').where({ id: couponId }).first()) as { claimed: number };
  const buyers = (await api
    .db('coupon_claims')
    .where({ coupon_id: couponId })
    .pluck('buyer_id')) as string[];
  return { claimed: coupon.claimed, rows: buyers.length, buyers: buyers.sort() };
}
