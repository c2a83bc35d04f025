import { randomUUID } from 'node:crypto';
import { couponKeys, GATED_COUPONS } from '../../src/catalog/gate';
import { createCoupon } from '../../src/coupons/create-coupon';
import type { StormTarget } from '../storm-run';
import { stormScenario } from './storm';
import type { StormRep, StormShape } from './storm-figures';

/** Issue 16's storm: as the flash sale's, 4,000 buyers for 200 coupons, 400 in flight. */
export const FULL_STORM: StormShape = { buyers: 4000, supply: 200, inFlight: 400, instances: 3 };
export const QUICK_STORM: StormShape = { buyers: 400, supply: 20, inFlight: 60, instances: 2 };

/** One claim storm: the database's claims afterwards. */
export interface ClaimRep extends StormRep {
  /** Claim rows of the coupon, and its `claimed` column. */
  claims: number;
  claimedColumn: number;
  /** claims = claimed = totalQuantity = the 201 answers: exactly N, each once. */
  exact: boolean;
}

const CLAIMS: StormTarget<ClaimRep> = {
  create: async (site, shape) => {
    const coupon = await createCoupon(site.db, {
      merchantId: site.merchantId,
      code: `storm-${randomUUID()}`,
      discountCents: 100,
      totalQuantity: shape.supply,
      minOrderCents: 0,
    });
    return coupon.id;
  },
  request: (couponId) => ({ path: `/v1/coupons/${couponId}/claim`, body: '{}' }),
  metric: 'coupon_gate_decisions_total',
  gated: {
    set: GATED_COUPONS,
    keys: (merchant, id) => {
      const k = couponKeys(merchant, id);
      return [k.state, k.holders];
    },
  },
  loserCode: 'coupon_sold_out',
  check: async (site, rep) => {
    const { rows } = await site.db.raw<{ rows: { claims: string; claimed: number }[] }>(
      `select (select count(*) from coupon_claims k where k.coupon_id = c.id) as claims, c.claimed
       from coupons c where c.id = ?`,
      [rep.id],
    );
    const claims = Number(rows[0]?.claims ?? NaN);
    const claimedColumn = rows[0]?.claimed ?? NaN;
    const exact = claims === rep.supply && claimedColumn === claims && rep.won === claims;
    return { ...rep, claims, claimedColumn, exact };
  },
};

/**
 * 7. A claim storm over HTTP (issue 16): every buyer claims one coupon of N at once
 * (`POST /v1/coupons/:id/claim`), spread over the instances. Coordinator: instances
 * with the Redis coupon gate (claimed count and claimants, one script); baseline: the
 * same instances with `STOCK_GATE=false` (every claim is a PostgreSQL transaction: the
 * unique claim row and the conditional count); see `runStorms`.
 */
export const claimStorm = stormScenario({
  id: 'claim-storm',
  label: 'claims',
  shapes: { full: FULL_STORM, quick: QUICK_STORM },
  target: CLAIMS,
  title: (shape) =>
    `7. Claim storm over HTTP: ${shape.buyers} buyers claim a coupon of ${shape.supply}; ` +
    `${shape.inFlight} in flight over ${shape.instances} instances`,
  candidate: 'instances with the Redis coupon gate',
  baseline: 'the same instances with STOCK_GATE=false (every claim goes to PostgreSQL)',
  words: { answers: 'claims', won: 'claims made', perWin: 'claim' },
  problem: (rep) => (rep.exact ? undefined : 'NOT EXACTLY N claims'),
  checked:
    "Claims checked in PostgreSQL after every storm: exactly N claim rows, the coupon's " +
    'claimed = N, one 201 per claim.',
});
