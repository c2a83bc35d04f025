import type { ClaimDecision, CouponFacts, CouponGate } from '../catalog/gate';
import { findCoupon, insertClaim } from '../db/coupons.repo';
import type { Db, InTransaction } from '../db/knex';
import { AppError } from '../errors';
import type { Actor } from '../orders/policy';
import { claimRefusalError } from './refusals';
import { claimView, type ClaimView } from './view';

export interface ClaimRequest {
  actor: Actor;
  couponId: string;
  /** Runs in the claim's transaction, after its write, with the new claim. */
  inTransaction?: InTransaction<ClaimView>;
}

export interface ClaimDeps {
  db: Db;
  /** The Redis coupon gate; without it every claim goes to PostgreSQL. */
  couponGate?: CouponGate | undefined;
}

/**
 * A buyer claims a coupon. The coupon gate answers first: a buyer who claimed already,
 * a sold-out coupon or one outside its validity is refused there, without a PostgreSQL
 * transaction (in a claim storm almost every buyer is one of these). PostgreSQL still
 * decides: one claim row per buyer and coupon, and a count that never passes
 * `totalQuantity`, in one transaction; a claim the gate let through and PostgreSQL then
 * refuses or fails is undone at the gate.
 * @returns the claim, `available`.
 * @throws AppError coupon_not_found, coupon_already_claimed, coupon_sold_out,
 *   coupon_not_valid.
 */
export async function claimCoupon(deps: ClaimDeps, req: ClaimRequest): Promise<ClaimView> {
  const coupon = await couponOf(deps, req.couponId);
  const claim = { couponId: coupon.id, merchantId: coupon.merchant_id, buyerId: req.actor.id };
  const gated: ClaimDecision = deps.couponGate
    ? await deps.couponGate.claim(claim)
    : { kind: 'skipped' };
  if (gated.kind === 'refused') throw claimRefusalError(coupon.id, gated.refusal);
  try {
    return await deps.db.transaction(async (trx) => {
      const row = await insertClaim(trx, coupon.id, req.actor.id);
      if ('reason' in row) throw claimRefusalError(coupon.id, row);
      const view = claimView(row);
      await req.inTransaction?.(trx, view);
      return view;
    });
  } catch (error) {
    if (gated.kind === 'taken') await deps.couponGate?.unclaim(claim);
    throw error;
  }
}

/** The coupon's terms: from the gate's cache when there is a gate (they never change). */
async function couponOf(deps: ClaimDeps, id: string): Promise<CouponFacts> {
  const coupon = deps.couponGate
    ? (await deps.couponGate.coupons.get([id])).get(id)
    : await findCoupon(deps.db, id);
  if (!coupon) throw new AppError('coupon_not_found', `Coupon ${id} does not exist.`);
  return coupon;
}
