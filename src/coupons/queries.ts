import { findCoupon, listClaims } from '../db/coupons.repo';
import type { Db } from '../db/knex';
import { AppError } from '../errors';
import { claimView, couponView, type ClaimView, type CouponView } from './view';

/** A coupon (any role may read one), with its `claimed` count as PostgreSQL has it. */
export async function getCoupon(db: Db, id: string): Promise<CouponView> {
  const coupon = await findCoupon(db, id);
  if (!coupon) throw new AppError('coupon_not_found', `Coupon ${id} does not exist.`);
  return couponView(coupon);
}

/** The buyer's claims, newest first. */
export async function getClaims(db: Db, buyerId: string): Promise<{ claims: ClaimView[] }> {
  return { claims: (await listClaims(db, buyerId)).map(claimView) };
}
