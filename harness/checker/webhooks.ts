import { eventKey } from '../observe-events';
import type { Delivery, Observation, Violation } from '../types';

const v9 = (kind: string, message: string, orderId?: string): Violation => ({
  guarantee: 9,
  kind,
  message,
  ...(orderId !== undefined ? { orderId } : {}),
});

const acked = (d: Delivery): boolean => d.answered >= 200 && d.answered < 300;

/**
 * Guarantee 9, the webhooks, from what the receiver got: every delivery's signature
 * verifies and its body's `id` is its `webhook-id`, the event's id in the feed; each
 * event is one the table holds, of a subscribed type, always with the same `webhook-id`
 * and the same body; every subscribed event of each merchant's orders was acknowledged
 * (answered 2xx) at least once; per order, event n+1 first arrived after the first
 * acknowledged delivery of the subscribed event before it (the sender waits for that
 * acknowledgement).
 */
export function checkWebhooks(observation: Observation): Violation[] {
  const hooks = observation.webhooks;
  if (!hooks) return [];
  const out: Violation[] = [];
  const feedIds = new Map<string, string>();
  for (const events of observation.feed?.byMerchant.values() ?? []) {
    for (const e of events) feedIds.set(eventKey(e.orderId, e.seq), e.id);
  }
  const merchantOf = new Map(observation.orders.map((o) => [o.id, o.merchantId]));
  const byEvent = new Map<string, Delivery[]>();
  for (const d of hooks.deliveries) {
    const key = eventKey(d.orderId ?? '?', d.seq ?? -1);
    const sub = hooks.subscriptions.find((s) => s.merchantId === d.merchantId);
    const dbEvent = (observation.dbEvents.get(d.orderId ?? '') ?? []).find((e) => e.seq === d.seq);
    if (!d.signatureValid)
      out.push(
        v9(
          'webhook-bad-signature',
          `delivery of ${key} (webhook-id ${d.webhookId}) fails verification`,
          d.orderId,
        ),
      );
    if (d.bodyId !== d.webhookId)
      out.push(
        v9(
          'webhook-id-mismatch',
          `delivery of ${key}: webhook-id ${d.webhookId}, body id ${d.bodyId}`,
          d.orderId,
        ),
      );
    const feedId = feedIds.get(key);
    if (feedId !== undefined && feedId !== d.webhookId)
      out.push(
        v9(
          'webhook-id-not-event-id',
          `delivery of ${key}: webhook-id ${d.webhookId}, the event's id ${feedId}`,
          d.orderId,
        ),
      );
    if (!dbEvent || merchantOf.get(d.orderId ?? '') !== d.merchantId) {
      out.push(
        v9(
          'webhook-phantom',
          `merchant ${d.merchantId} got ${key}, which is not an event of its orders`,
          d.orderId,
        ),
      );
    } else if (sub?.eventTypes && !sub.eventTypes.includes(dbEvent.type)) {
      out.push(
        v9(
          'webhook-unsubscribed',
          `merchant ${d.merchantId} got ${key} (${dbEvent.type}), a type it did not subscribe to`,
          d.orderId,
        ),
      );
    }
    const k = `${d.merchantId} ${key}`;
    byEvent.set(k, [...(byEvent.get(k) ?? []), d]);
  }
  for (const list of byEvent.values()) {
    const [first] = list;
    if (!first) continue;
    if (list.some((d) => d.webhookId !== first.webhookId))
      out.push(
        v9(
          'webhook-id-changed',
          `event ${eventKey(first.orderId ?? '?', first.seq ?? -1)} came with webhook-ids ${[...new Set(list.map((d) => d.webhookId))].join(', ')}`,
          first.orderId,
        ),
      );
    if (list.some((d) => d.body !== first.body))
      out.push(
        v9(
          'webhook-body-changed',
          `event ${eventKey(first.orderId ?? '?', first.seq ?? -1)} came with different bodies`,
          first.orderId,
        ),
      );
  }
  for (const sub of hooks.subscriptions) {
    for (const order of observation.orders) {
      if (order.merchantId !== sub.merchantId) continue;
      let ackedBefore: number | undefined;
      for (const e of observation.dbEvents.get(order.id) ?? []) {
        if (sub.eventTypes && !sub.eventTypes.includes(e.type)) continue;
        const list = byEvent.get(`${sub.merchantId} ${eventKey(order.id, e.seq)}`) ?? [];
        const firstArrival = Math.min(...list.map((d) => d.arrivedMs));
        if (ackedBefore !== undefined && list.length > 0 && firstArrival <= ackedBefore) {
          out.push(
            v9(
              'webhook-out-of-order',
              `event ${eventKey(order.id, e.seq)} (${e.type}) first came at +${Math.round(firstArrival)} ms, before the previous event was first acknowledged (+${Math.round(ackedBefore)} ms)`,
              order.id,
            ),
          );
        }
        const firstAck = list.filter(acked).map((d) => d.arrivedMs);
        if (firstAck.length === 0) {
          out.push(
            v9(
              'webhook-missing',
              `merchant ${sub.merchantId} never acknowledged event ${eventKey(order.id, e.seq)} (${e.type}): ${list.length} deliveries`,
              order.id,
            ),
          );
        }
        ackedBefore = firstAck.length > 0 ? Math.min(...firstAck) : undefined;
      }
    }
  }
  return out;
}
