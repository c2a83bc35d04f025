import type { Observation, OrderRow, RequestRecord, Violation } from '../types';

/** Statuses in which an order that used a claim still holds it (all but `cancelled`). */
const REDEEMED_STATUSES = new Set(['paid', 'shipped', 'delivered', 'refunded']);

const claimKey = (couponId: string, buyerId: string): string => `${couponId} ${buyerId}`;

const v11 = (kind: string, message: string, extra: Partial<Violation> = {}): Violation => ({
  guarantee: 11,
  kind,
  message,
  ...extra,
});

/**
 * Guarantee 11 from the database at the end: `coupons.claimed` counts the claim rows and
 * never passes `total_quantity`; per claim, at most one order that still holds it (any
 * status but `cancelled`) and at most one paid; the claim's state agrees with its order
 * (`available`: none, `reserved`: an unpaid order of that buyer with that coupon,
 * `redeemed`: a paid one); every order with a coupon has the buyer's claim and the
 * coupon's discount (capped by its items' sum, as its `CREATED` says).
 */
export function checkCouponsInDatabase(observation: Observation): Violation[] {
  const out: Violation[] = [];
  const claimsOf = new Map<string, number>();
  for (const c of observation.claims) claimsOf.set(c.couponId, (claimsOf.get(c.couponId) ?? 0) + 1);
  for (const c of observation.coupons) {
    const rows = claimsOf.get(c.id) ?? 0;
    if (rows > c.totalQuantity || c.claimed > c.totalQuantity) {
      out.push(
        v11(
          'coupon-over-claimed',
          `${rows} claims (claimed ${c.claimed}) of a coupon of ${c.totalQuantity}`,
          {
            couponId: c.id,
          },
        ),
      );
    }
    if (rows !== c.claimed) {
      out.push(
        v11(
          'claimed-count-mismatch',
          `coupons.claimed is ${c.claimed}, but it has ${rows} claims`,
          {
            couponId: c.id,
          },
        ),
      );
    }
  }
  const ordersOf = new Map<string, OrderRow[]>();
  for (const o of observation.orders) {
    if (o.couponId === null) continue;
    const k = claimKey(o.couponId, o.buyerId);
    ordersOf.set(k, [...(ordersOf.get(k) ?? []), o]);
  }
  const byId = new Map(observation.orders.map((o) => [o.id, o]));
  const claims = new Map(observation.claims.map((c) => [claimKey(c.couponId, c.buyerId), c]));
  for (const [k, orders] of ordersOf) {
    const [couponId = '', buyerId = ''] = k.split(' ');
    const live = orders.filter((o) => o.status !== 'cancelled');
    if (live.length > 1) {
      out.push(
        v11(
          'two-live-orders-one-claim',
          `buyer ${buyerId}'s claim is held by ${live.length} orders: ${live.map((o) => `${o.id} (${o.status})`).join(', ')}`,
          { couponId, orderId: live[0]?.id },
        ),
      );
    }
    const paid = orders.filter((o) =>
      (observation.dbEvents.get(o.id) ?? []).some((e) => e.type === 'PAY'),
    );
    if (paid.length > 1) {
      out.push(
        v11(
          'claim-redeemed-twice',
          `buyer ${buyerId}'s claim was paid with ${paid.length} orders: ${paid.map((o) => o.id).join(', ')}`,
          { couponId, orderId: paid[0]?.id },
        ),
      );
    }
    if (!claims.has(k)) {
      out.push(
        v11('order-without-claim', `order of buyer ${buyerId} uses a coupon it never claimed`, {
          couponId,
          orderId: orders[0]?.id,
        }),
      );
    }
  }
  for (const c of observation.claims) {
    const order = c.orderId === null ? undefined : byId.get(c.orderId);
    const live = (ordersOf.get(claimKey(c.couponId, c.buyerId)) ?? []).filter(
      (o) => o.status !== 'cancelled',
    );
    const wrong =
      c.state === 'available'
        ? live.length > 0 || c.orderId !== null
        : c.state === 'reserved'
          ? order?.status !== 'pending_payment'
          : c.state === 'redeemed'
            ? !REDEEMED_STATUSES.has(order?.status ?? '')
            : true;
    const foreign = order && (order.couponId !== c.couponId || order.buyerId !== c.buyerId);
    if (wrong || foreign) {
      out.push(
        v11(
          'claim-order-disagree',
          `buyer ${c.buyerId}'s claim is ${c.state} with order ${c.orderId ?? 'none'} (${order ? `${order.status}, coupon ${order.couponId}` : 'no such order'}); orders that still hold it: ${live.map((o) => o.id).join(', ') || 'none'}`,
          { couponId: c.couponId, ...(c.orderId ? { orderId: c.orderId } : {}) },
        ),
      );
    }
  }
  const coupons = new Map(observation.coupons.map((c) => [c.id, c]));
  for (const o of observation.orders) {
    const coupon = o.couponId === null ? undefined : coupons.get(o.couponId);
    if (!coupon) continue;
    const items = o.items.reduce((s, i) => s + i.quantity * i.unitPriceCents, 0);
    const expected = Math.min(coupon.discountCents, items);
    if (o.discountCents !== expected) {
      out.push({
        guarantee: 'contract',
        kind: 'discount-mismatch',
        orderId: o.id,
        couponId: coupon.id,
        message: `discount ${o.discountCents}, but the coupon gives ${coupon.discountCents} on items of ${items}`,
      });
    }
  }
  return out;
}

/**
 * Guarantee 11 from the history: per coupon, no more buyers told 201 than its
 * `totalQuantity`, no buyer told 201 twice, every 201 claim in the database and no claim
 * there that no request may have made; per claim, never two orders that surely held it
 * at once. An order surely holds its claim from its 201's arrival until its `CANCEL` or
 * `EXPIRE` event's time (its transaction's start, before the commit that gives the claim
 * back): a second order's placement can only commit after that commit, and its 201
 * arrives later still.
 */
export function checkCouponsInHistory(
  requests: readonly RequestRecord[],
  observation: Observation,
): Violation[] {
  const out: Violation[] = [];
  const claimRequests = requests.filter(
    (r) => r.kind === 'claim-coupon' && r.couponId !== undefined,
  );
  const tried = new Map<string, RequestRecord[]>();
  for (const r of claimRequests) {
    const k = claimKey(r.couponId ?? '', r.actor.id);
    tried.set(k, [...(tried.get(k) ?? []), r]);
  }
  const winners = new Map<string, Set<string>>();
  const rows = new Set(observation.claims.map((c) => claimKey(c.couponId, c.buyerId)));
  for (const [k, list] of tried) {
    const [couponId = '', buyerId = ''] = k.split(' ');
    const ok = list.filter((r) => r.outcome === 'ok' && !r.replayed);
    if (ok.length > 1) {
      out.push(
        v11('claimed-twice', `buyer ${buyerId} was told 201 ${ok.length} times`, {
          couponId,
          requestIds: ok.map((r) => r.id),
        }),
      );
    }
    if (ok.length > 0) {
      winners.set(couponId, (winners.get(couponId) ?? new Set()).add(buyerId));
      if (!rows.has(k))
        out.push(
          v11('claim-lost', `buyer ${buyerId}'s 201 claim is not in the database`, {
            couponId,
            requestIds: ok.map((r) => r.id),
          }),
        );
    }
  }
  for (const c of observation.claims) {
    const list = tried.get(claimKey(c.couponId, c.buyerId)) ?? [];
    if (list.some((r) => r.outcome === 'ok' || r.outcome === 'unknown')) continue;
    out.push(
      v11(
        'phantom-claim',
        `buyer ${c.buyerId} has a claim, but none of its claims may have succeeded`,
        { couponId: c.couponId, requestIds: list.map((r) => r.id) },
      ),
    );
  }
  for (const coupon of observation.coupons) {
    const n = winners.get(coupon.id)?.size ?? 0;
    if (n > coupon.totalQuantity) {
      out.push(
        v11(
          'coupon-over-claimed',
          `${n} buyers were told 201 for a coupon of ${coupon.totalQuantity}`,
          { couponId: coupon.id },
        ),
      );
    }
  }
  out.push(...overlappingHolds(requests, observation));
  return out;
}

/** Two orders of one claim whose sure holding times overlap. */
function overlappingHolds(
  requests: readonly RequestRecord[],
  observation: Observation,
): Violation[] {
  const out: Violation[] = [];
  const holds = new Map<
    string,
    { orderId: string; from: number; until: number; requestId: number }[]
  >();
  const seen = new Set<string>();
  for (const r of requests) {
    const couponId = r.body?.couponId;
    if (r.kind !== 'create-order' || r.outcome !== 'ok' || typeof couponId !== 'string') continue;
    if (r.orderId === undefined || r.recvWall === undefined || seen.has(r.orderId)) continue;
    seen.add(r.orderId);
    const release = (observation.dbEvents.get(r.orderId) ?? []).find(
      (e) => e.type === 'CANCEL' || e.type === 'EXPIRE',
    );
    const k = claimKey(couponId, r.actor.id);
    holds.set(k, [
      ...(holds.get(k) ?? []),
      {
        orderId: r.orderId,
        from: r.recvWall,
        until: release ? Date.parse(release.at) : Infinity,
        requestId: r.id,
      },
    ]);
  }
  for (const [k, list] of holds) {
    const [first, ...rest] = list.sort((x, y) => x.from - y.from);
    // The earlier order that held the claim longest: any later 201 before its end overlaps.
    let a = first;
    for (const b of rest) {
      if (!a || b.from >= a.until) {
        a = b;
        continue;
      }
      out.push(
        v11(
          'two-live-orders-one-claim',
          `order ${b.orderId} was placed (201) with buyer ${k.split(' ')[1]}'s claim while order ${a.orderId} still held it`,
          { couponId: k.split(' ')[0], orderId: b.orderId, requestIds: [a.requestId, b.requestId] },
        ),
      );
      if (b.until > a.until) a = b;
    }
  }
  return out;
}
