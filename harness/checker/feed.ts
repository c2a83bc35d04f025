import { eventKey } from '../observe-events';
import type { Observation, Violation } from '../types';

const v9 = (kind: string, message: string, orderId?: string): Violation => ({
  guarantee: 9,
  kind,
  message,
  ...(orderId !== undefined ? { orderId } : {}),
});

/**
 * Guarantee 9, the feed: each merchant's `GET /v1/events` read from the start holds every
 * committed event of its orders (the `order_events` table) exactly once, none of another
 * merchant's and none the table lacks, each order's in `seq` order, one id per event.
 */
export function checkFeed(observation: Observation): Violation[] {
  const feed = observation.feed;
  if (!feed) return [];
  const out: Violation[] = [];
  const merchantOf = new Map(observation.orders.map((o) => [o.id, o.merchantId]));
  for (const [merchantId, events] of feed.byMerchant) {
    const seen = new Map<string, string>();
    const ids = new Set<string>();
    const lastSeq = new Map<string, number>();
    for (const e of events) {
      const key = eventKey(e.orderId, e.seq);
      if (seen.has(key) || ids.has(e.id)) {
        out.push(v9('feed-duplicate', `event ${key} (id ${e.id}) is in the feed twice`, e.orderId));
      }
      seen.set(key, e.id);
      ids.add(e.id);
      if (merchantOf.get(e.orderId) !== merchantId) {
        out.push(
          v9(
            'feed-foreign-event',
            `merchant ${merchantId}'s feed has event ${key} of another merchant's order`,
            e.orderId,
          ),
        );
      } else if (!(observation.dbEvents.get(e.orderId) ?? []).some((d) => d.seq === e.seq)) {
        out.push(
          v9('feed-phantom-event', `the feed has event ${key}, the table does not`, e.orderId),
        );
      }
      if ((lastSeq.get(e.orderId) ?? 0) >= e.seq) {
        out.push(
          v9(
            'feed-out-of-order',
            `event ${key} comes after seq ${lastSeq.get(e.orderId)}`,
            e.orderId,
          ),
        );
      }
      lastSeq.set(e.orderId, Math.max(e.seq, lastSeq.get(e.orderId) ?? 0));
    }
    for (const order of observation.orders) {
      if (order.merchantId !== merchantId) continue;
      for (const e of observation.dbEvents.get(order.id) ?? []) {
        if (!seen.has(eventKey(order.id, e.seq))) {
          out.push(
            v9(
              'feed-missing-event',
              `committed event ${eventKey(order.id, e.seq)} (${e.type}) is not in the feed`,
              order.id,
            ),
          );
        }
      }
    }
  }
  return out;
}
