import type { RedisClient } from '../../redis';
import {
  findCoupons,
  readCouponClaimants,
  type ClaimRefusal,
  type CouponRow,
} from '../../db/coupons.repo';
import type { Db } from '../../db/knex';
import { withDeadline } from '@order-coordinator/lock';
import { GateBase, type GateAnswer, type GateOptions } from './base';
import type { GateFill, GateKind } from './fill';
import { GATED_COUPONS, couponKeys } from './keys';
import { ImmutableRowCache } from './product-cache';
import { claimOutcome } from './scripts';

/** The columns of a coupon that never change once it exists (all but `claimed`). */
export type CouponFacts = Omit<CouponRow, 'claimed'>;

/** One claim as the gate sees it. */
export interface GateClaim {
  couponId: string;
  merchantId: string;
  buyerId: string;
}

/** The gate's answer: claimed here, refused, or no answer (fail open). */
export type ClaimDecision = GateAnswer<ClaimRefusal>;

async function readCouponFills(db: Db, ids: readonly string[]): Promise<GateFill[]> {
  return (await readCouponClaimants(db, ids)).map((c) => ({
    keys: couponKeys(c.merchant_id, c.id),
    fields: [
      ['total', c.total_quantity],
      ['claimed', c.claimed],
      ['fromMs', c.valid_from?.getTime() ?? 0],
      ['untilMs', c.valid_until?.getTime() ?? 0],
    ],
    holders: c.claimants.map((buyerId) => [buyerId, 1]),
    registry: { set: GATED_COUPONS, member: `${c.merchant_id}/${c.id}` },
  }));
}

/** Coupons as the coupon gate keeps them. */
export const COUPON_GATE: GateKind = {
  name: 'coupon gate',
  registry: GATED_COUPONS,
  read: readCouponFills,
};

/**
 * The Redis gate in front of PostgreSQL's claims: in a claim storm it answers the buyers
 * who cannot claim (sold out, claimed already, outside the validity) without a database
 * transaction. The claimed count and the set of claimants change together in one script
 * (claim.lua), under the merchant's hash tag. PostgreSQL still decides every claim it
 * lets through (a unique claim per buyer, a count that never passes the quantity), so a
 * gate that lost its state, drifted or cannot be reached costs speed, never correctness.
 */
export class CouponGate extends GateBase {
  /** Coupons' terms, so that a refusal needs no query at all. */
  readonly coupons: ImmutableRowCache<CouponFacts>;

  constructor(redis: RedisClient, db: Db, options: GateOptions) {
    super(redis, db, options, COUPON_GATE);
    this.coupons = new ImmutableRowCache<CouponFacts>(db, findCoupons);
  }

  /**
   * Claims at the gate; a coupon without state is rebuilt from PostgreSQL and the claim
   * retried once. Never throws and waits at most a few Redis deadlines.
   * @returns taken (undo it with `unclaim` if PostgreSQL does not record the claim),
   *   refused with the claim's reason, or skipped (Redis failed: PostgreSQL decides).
   */
  async claim(c: GateClaim): Promise<ClaimDecision> {
    return this.decide(
      async () => {
        const outcome = await this.claimOnce(c);
        return outcome.kind === 'miss' ? { kind: 'miss', ids: [c.couponId] } : outcome;
      },
      // unclaim.lua removes only a buyer still among the claimants: harmless if not.
      () => this.unclaim(c),
    );
  }

  /**
   * Undoes a claim taken at the gate, once (unclaim.lua removes the buyer only if it is
   * still a claimant). Best effort: a failure is logged and the reconciler repairs the
   * drift. Never throws.
   */
  async unclaim(c: GateClaim): Promise<void> {
    try {
      const keys = couponKeys(c.merchantId, c.couponId);
      const call = this.redis.gateUnclaim(keys.state, keys.holders, c.buyerId);
      await withDeadline(call, this.options.timeoutMs, 'the coupon gate undo');
    } catch (error) {
      this.warn(error, { couponId: c.couponId }, 'coupon gate undo failed');
    }
  }

  private async claimOnce(c: GateClaim) {
    const keys = couponKeys(c.merchantId, c.couponId);
    const call = this.redis.gateClaim(keys.state, keys.holders, c.buyerId);
    return claimOutcome(await withDeadline(call, this.options.timeoutMs, 'the coupon gate'));
  }
}
