import type { EventRecord, Observation, OrderRow, RequestRecord, Violation } from '../types';
import { operationsOf, type Operation } from './operations';

/** One order with everything the checker knows about it. */
export interface OrderCase {
  order: OrderRow;
  /** From the events API; the table's when the API could not be read. */
  events: EventRecord[];
  apiEvents: EventRecord[] | undefined;
  dbEvents: EventRecord[];
  requests: RequestRecord[];
  operations: Operation[];
}

/** Splits a history and an observation into one case per order. */
export function casesOf(
  requests: readonly RequestRecord[],
  observation: Observation,
): { cases: OrderCase[]; orphans: Violation[] } {
  const byOrder = new Map<string, RequestRecord[]>();
  for (const r of requests) {
    if (r.orderId === undefined) continue;
    const list = byOrder.get(r.orderId) ?? [];
    list.push(r);
    byOrder.set(r.orderId, list);
  }
  const cases = observation.orders.map((order): OrderCase => {
    const own = (byOrder.get(order.id) ?? []).sort((a, b) => a.sentMs - b.sentMs);
    const apiEvents = observation.apiEvents.get(order.id);
    const dbEvents = observation.dbEvents.get(order.id) ?? [];
    return {
      order,
      events: apiEvents ?? dbEvents,
      apiEvents,
      dbEvents,
      requests: own,
      operations: operationsOf(own),
    };
  });
  const known = new Set(observation.orders.map((o) => o.id));
  const orphans: Violation[] = [];
  for (const [orderId, list] of byOrder) {
    const ok = list.filter((r) => r.outcome === 'ok');
    if (known.has(orderId) || ok.length === 0) continue;
    orphans.push({
      guarantee: 1,
      kind: 'order-missing',
      orderId,
      message: `requests succeeded on order ${orderId}, but the database has no such order`,
      requestIds: ok.map((r) => r.id),
    });
  }
  return { cases, orphans };
}
