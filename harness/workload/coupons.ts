import type { Identity } from '../http/tokens';
import type { RequestRecord } from '../types';
import { placeOrder } from './requests';
import { createUntilDone } from './setup';
import type { KnownClaim, Product, World } from './world';

/** What one coupon storm did, for the report. */
export interface CouponRound {
  round: number;
  couponId: string;
  totalQuantity: number;
  claims: number;
  created: number;
  alreadyClaimed: number;
  soldOut: number;
  unknown: number;
  /** Orders sent with a claimed coupon (this round's claims and older ones). */
  orders: number;
  ordersCreated: number;
  /** Answers `coupon_unavailable` (the claim was reserved, redeemed or the order too small). */
  unavailable: number;
}

/**
 * A coupon storm: a merchant creates a coupon of 3-8 units, then 15-30 buyers claim it
 * at once on random instances; a quarter of them send a second claim at the same
 * moment to another instance, and some claim again once answered. Each winner then
 * places an order with it, a third of them two or three at once on several instances
 * (one may be placed); three older claims are used again (a cancelled or expired order
 * gave them back, or they are still held). The orders join the workload, which pays,
 * cancels, refunds or abandons them like any other.
 */
export async function couponStorm(world: World, round: number): Promise<CouponRound> {
  const { rng } = world;
  const tag = `coupon#${round}`;
  const merchant = rng.pick(world.merchants);
  const totalQuantity = rng.int(3, 8);
  const minOrderCents = rng.pick([0, 0, 1000]);
  const couponId = await createUntilDone(world, {
    kind: 'create-coupon',
    path: '/v1/coupons',
    actor: merchant,
    body: {
      code: `h-${rng.token(10)}`,
      discountCents: rng.int(1, 30) * 50,
      totalQuantity,
      minOrderCents,
    },
    idempotencyKey: `coupon-${rng.token(16)}`,
    tag,
  });
  const buyers = rng.sample(world.claimers, rng.int(15, 30));
  const claims = (
    await Promise.all(
      buyers.map(async (buyer) => {
        const port = world.port();
        const twice = rng.chance(0.25);
        const first = await Promise.all([
          claim(world, couponId, buyer, port, tag),
          ...(twice ? [claim(world, couponId, buyer, world.otherPort(port), tag)] : []),
        ]);
        const again = rng.chance(0.15)
          ? [await claim(world, couponId, buyer, world.port(), tag)]
          : [];
        return [...first, ...again];
      }),
    )
  ).flat();
  const fresh: KnownClaim[] = [];
  for (const r of claims) {
    if (r.outcome !== 'ok' || fresh.some((c) => c.buyer.id === r.actor.id)) continue;
    const buyer = buyers.find((b) => b.id === r.actor.id);
    if (buyer) fresh.push({ couponId, buyer, merchant, minOrderCents });
  }
  const older = world.claims.length > 0 ? [0, 1, 2].map(() => rng.pick(world.claims)) : [];
  world.claims.push(...fresh);
  const orders = (
    await Promise.all([
      ...fresh.map((c) => useClaim(world, c, rng.chance(0.33) ? rng.int(2, 3) : 1, tag)),
      ...older.map((c) => useClaim(world, c, 1, tag)),
    ])
  ).flat();
  const count = (list: RequestRecord[], code: string) => list.filter((r) => r.code === code).length;
  return {
    round,
    couponId,
    totalQuantity,
    claims: claims.length,
    created: claims.filter((r) => r.outcome === 'ok').length,
    alreadyClaimed: count(claims, 'coupon_already_claimed'),
    soldOut: count(claims, 'coupon_sold_out'),
    unknown: claims.filter((r) => r.outcome === 'unknown' || r.outcome === 'refused').length,
    orders: orders.length,
    ordersCreated: orders.filter((r) => r.outcome === 'ok').length,
    unavailable: count(orders, 'coupon_unavailable'),
  };
}

async function claim(
  world: World,
  couponId: string,
  buyer: Identity,
  port: number,
  tag: string,
): Promise<RequestRecord> {
  const { record } = await world.client.send({
    kind: 'claim-coupon',
    method: 'POST',
    path: `/v1/coupons/${couponId}/claim`,
    actor: buyer,
    port,
    body: {},
    couponId,
    tag,
  });
  return record;
}

/** `copies` orders with one claim at once, each to another instance when there are enough. */
async function useClaim(
  world: World,
  c: KnownClaim,
  copies: number,
  tag: string,
): Promise<RequestRecord[]> {
  const { rng } = world;
  const mine = world.products.filter((p) => p.merchant.id === c.merchant.id);
  const product: Product = rng.pick(mine);
  // Usually enough to pass the coupon's minimum; sometimes one unit that may fall short.
  const quantity = rng.chance(0.8)
    ? Math.max(1, Math.ceil(c.minOrderCents / product.priceCents))
    : 1;
  const first = world.port();
  const results = await Promise.all(
    Array.from({ length: copies }, (_, i) =>
      placeOrder(world, c.buyer, [{ product, quantity }], {
        couponId: c.couponId,
        keyed: rng.chance(0.5),
        abandoned: rng.chance(0.25),
        tag,
        port: i === 0 ? first : world.otherPort(first),
      }),
    ),
  );
  return results.flatMap((r) => r.attempts);
}
