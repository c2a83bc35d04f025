import type { Observation, OrderRow, ProductRow, RequestRecord, Violation } from '../types';
import { asNumber, asObject } from '../util/json';

/** Statuses in which an order gives its units back. */
const RELEASED = new Set(['cancelled', 'refunded']);

const key = (buyerId: string, productId: string) => `${buyerId} ${productId}`;

/**
 * Guarantee 8 from the database, at the end: per product with a `perBuyerLimit` and
 * buyer, the units held by orders that still hold stock are within the limit, and
 * `buyer_holdings` says the same number; no order for a product was created (the
 * order's `created_at`: its transaction's start) before the product's `sale_starts_at`;
 * and at each flash sale's snapshot no buyer held more than the limit.
 */
export function checkLimitsInDatabase(observation: Observation): Violation[] {
  const out: Violation[] = [];
  const products = new Map(observation.products.map((p) => [p.id, p]));
  const held = new Map<string, number>();
  for (const order of observation.orders) {
    for (const item of order.items) {
      const p = products.get(item.productId);
      if (p !== undefined && p.saleStartsAt !== null && order.createdAt < p.saleStartsAt) {
        out.push({
          guarantee: 8,
          kind: 'order-before-sale-start',
          orderId: order.id,
          productId: p.id,
          message: `created at ${iso(order.createdAt)}, before the sale's start ${iso(p.saleStartsAt)}`,
        });
      }
      if (!p || p.perBuyerLimit === null || !order.holdsStock) continue;
      const k = key(order.buyerId, p.id);
      held.set(k, (held.get(k) ?? 0) + item.quantity);
    }
  }
  const rows = new Map(observation.holdings.map((h) => [key(h.buyerId, h.productId), h.held]));
  for (const k of new Set([...held.keys(), ...rows.keys()])) {
    const [buyerId = '', productId = ''] = k.split(' ');
    const limit = products.get(productId)?.perBuyerLimit ?? Infinity;
    const h = held.get(k) ?? 0;
    if (h > limit) {
      out.push({
        guarantee: 8,
        kind: 'limit-exceeded',
        productId,
        message: `buyer ${buyerId} holds ${h} units in orders that hold stock; the limit is ${limit}`,
      });
    }
    if ((rows.get(k) ?? 0) !== h) {
      out.push({
        guarantee: 8,
        kind: 'holdings-mismatch',
        productId,
        message: `buyer_holdings says buyer ${buyerId} holds ${rows.get(k) ?? 'nothing'}, its orders that hold stock hold ${h}`,
      });
    }
  }
  for (const f of observation.flash) {
    if (f.perBuyerLimit !== null && f.maxHeldByBuyer > f.perBuyerLimit) {
      out.push({
        guarantee: 8,
        kind: 'limit-exceeded',
        productId: f.productId,
        message: `flash sale #${f.round}: right after it a buyer held ${f.maxHeldByBuyer} units; the limit is ${f.perBuyerLimit}`,
      });
    }
  }
  return out;
}

/**
 * Guarantee 8 from the history, reasoning only about what is provable:
 * - an order surely holds its units from its 201's arrival until its release's event
 *   (`CANCEL`, `EXPIRE`, `REFUND`: the event's time is its transaction's start, before the
 *   commit that frees the units); at no instant may the orders that surely hold units of
 *   one buyer add up to more than the limit;
 * - no 201 arrives before the sale's start, nor shows a `createdAt` before it;
 * - `sale_not_started` carries the product's `saleStartsAt`, and only a request sent
 *   before it gets one (the server decided after the request was sent); a request
 *   answered before the start gets nothing else than `sale_not_started` (a limit or a
 *   sold-out answer there means the start was not checked first);
 * - `purchase_limit_exceeded` carries the product's limit (contract).
 */
export function checkLimitsInHistory(
  requests: readonly RequestRecord[],
  observation: Observation,
): Violation[] {
  const products = new Map(observation.products.map((p) => [p.id, p]));
  const out: Violation[] = [];
  const firstAnswer = new Map<string, number>();
  for (const r of requests) {
    if (r.kind !== 'create-order' || r.recvWall === undefined) continue;
    const p = productOf(r, products);
    if (r.outcome === 'ok' && r.orderId !== undefined) {
      firstAnswer.set(r.orderId, Math.min(firstAnswer.get(r.orderId) ?? Infinity, r.recvWall));
    }
    if (p) out.push(...checkAnswer(r, p));
  }
  out.push(...checkHeldOverTime(observation, products, firstAnswer));
  return out;
}

/** The product a create-order request names (the refusal's, else its first item's). */
function productOf(r: RequestRecord, products: Map<string, ProductRow>): ProductRow | undefined {
  const named = asObject(r.response)?.productId;
  const items = r.body?.items;
  const first = Array.isArray(items) ? asObject(items[0])?.productId : undefined;
  const id = typeof named === 'string' ? named : first;
  return typeof id === 'string' ? products.get(id) : undefined;
}

function checkAnswer(r: RequestRecord, p: ProductRow): Violation[] {
  const out: Violation[] = [];
  const body = asObject(r.response);
  const v = (guarantee: 8 | 'contract', kind: string, message: string) =>
    out.push({ guarantee, kind, productId: p.id, requestIds: [r.id], message });
  const start = p.saleStartsAt;
  const recv = r.recvWall ?? Infinity;
  if (r.outcome === 'ok' && start !== null) {
    const created = Date.parse(String(body?.createdAt));
    if (recv < start || created < start) {
      v(
        8,
        'sold-before-sale-start',
        `201 at ${iso(recv)} (createdAt ${String(body?.createdAt)}) before the sale's start ${iso(start)}`,
      );
    }
  }
  if (r.code === 'sale_not_started') {
    const said = Date.parse(String(body?.saleStartsAt));
    if (start === null || said !== start) {
      v(
        'contract',
        'sale-start-not-carried',
        `sale_not_started says ${String(body?.saleStartsAt)}, the product's start is ${start === null ? 'none' : iso(start)}`,
      );
    } else if (r.sentWall >= start) {
      v(
        8,
        'sale-not-started-after-start',
        `sent at ${iso(r.sentWall)}, after the sale's start ${iso(start)}, yet answered sale_not_started`,
      );
    }
  }
  if (
    start !== null &&
    recv < start &&
    ['out_of_stock', 'purchase_limit_exceeded'].includes(r.code ?? '')
  ) {
    v(
      8,
      'refused-otherwise-before-start',
      `answered ${r.code} at ${iso(recv)}, before the sale's start ${iso(start)}: it should be sale_not_started`,
    );
  }
  if (
    r.code === 'purchase_limit_exceeded' &&
    asNumber(body?.limit) !== (p.perBuyerLimit ?? undefined)
  ) {
    v(
      'contract',
      'limit-refusal-wrong-limit',
      `purchase_limit_exceeded says limit ${String(body?.limit)}, the product's is ${p.perBuyerLimit ?? 'none'}`,
    );
  }
  return out;
}

/** The sweep over the intervals in which orders surely hold units (see checkLimitsInHistory). */
function checkHeldOverTime(
  observation: Observation,
  products: Map<string, ProductRow>,
  firstAnswer: Map<string, number>,
): Violation[] {
  type Edge = { at: number; delta: number; order: OrderRow };
  const edges = new Map<string, Edge[]>();
  for (const order of observation.orders) {
    const from = firstAnswer.get(order.id);
    if (from === undefined) continue;
    const events = observation.apiEvents.get(order.id) ?? observation.dbEvents.get(order.id) ?? [];
    const release = events.find((e) => RELEASED.has(e.toStatus));
    // +1: wall clocks have whole milliseconds; the 201 may have left within the last one.
    const to = release ? Date.parse(release.at) : Infinity;
    for (const item of order.items) {
      if ((products.get(item.productId)?.perBuyerLimit ?? null) === null || to <= from + 1)
        continue;
      const list = edges.get(key(order.buyerId, item.productId)) ?? [];
      list.push(
        { at: from + 1, delta: item.quantity, order },
        { at: to, delta: -item.quantity, order },
      );
      edges.set(key(order.buyerId, item.productId), list);
    }
  }
  const out: Violation[] = [];
  for (const [k, list] of edges) {
    const [buyerId = '', productId = ''] = k.split(' ');
    const limit = products.get(productId)?.perBuyerLimit ?? Infinity;
    // Ends before starts at the same instant: an interval's end is not in it.
    list.sort((a, b) => a.at - b.at || a.delta - b.delta);
    const holding = new Set<OrderRow>();
    let sum = 0;
    for (const e of list) {
      sum += e.delta;
      if (e.delta > 0) holding.add(e.order);
      else holding.delete(e.order);
      if (sum <= limit) continue;
      out.push({
        guarantee: 8,
        kind: 'limit-exceeded-in-history',
        productId,
        orderId: e.order.id,
        message: `at ${iso(e.at)} buyer ${buyerId} surely held ${sum} units in orders ${[...holding].map((o) => o.id).join(', ')} (201 answered, not yet released); the limit is ${limit}`,
      });
      break;
    }
  }
  return out;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
