import type { Observation, Violation } from '../types';

/**
 * Guarantee 10: each paid order (one with a `PAY` event) of products with a
 * `giftProductId` has its gifts once: per gift product one unit per unit bought, taken
 * from the gift product's stock as far as it goes; an order never paid has none; no gift
 * of a product its items do not give. (The stock balance, gifts included, is
 * `checkStock`'s.) A short gift is allowed only when the gift product's stock ran short:
 * the harness's gift products keep most of their stock, so a short gift while the
 * product still has at least the units wanted at the end is a gift that went missing.
 */
export function checkGifts(observation: Observation): Violation[] {
  const out: Violation[] = [];
  const products = new Map(observation.products.map((p) => [p.id, p]));
  const given = new Map<string, Map<string, number>>();
  for (const g of observation.gifts) {
    const of = given.get(g.orderId) ?? new Map<string, number>();
    of.set(g.productId, (of.get(g.productId) ?? 0) + g.quantity);
    given.set(g.orderId, of);
  }
  for (const order of observation.orders) {
    const paid = (observation.dbEvents.get(order.id) ?? []).some((e) => e.type === 'PAY');
    const wanted = new Map<string, number>();
    for (const item of order.items) {
      const gift = products.get(item.productId)?.giftProductId;
      if (gift) wanted.set(gift, (wanted.get(gift) ?? 0) + item.quantity);
    }
    const got = given.get(order.id) ?? new Map<string, number>();
    const v = (kind: string, productId: string, message: string): void => {
      out.push({ guarantee: 10, kind, orderId: order.id, productId, message });
    };
    for (const [productId, q] of got) {
      const w = wanted.get(productId) ?? 0;
      if (!paid) v('gift-without-pay', productId, `${q} units given to an order never paid`);
      else if (q > w) v('gift-over-issued', productId, `${q} units given for ${w} bought`);
    }
    if (!paid) continue;
    for (const [productId, w] of wanted) {
      const q = got.get(productId) ?? 0;
      const left = products.get(productId)?.stock ?? 0;
      if (q < w && left >= w) {
        v('gift-missing', productId, `${q} of ${w} units given, though ${left} are left`);
      }
    }
  }
  return out;
}
