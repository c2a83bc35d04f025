import type { OrderEvent, OrderStatus } from './order.machine';
import { snapshotOf, statusOf, step, type OrderSnapshot } from './order.lifecycle';

/** An event as the events API returns it (the fields replay needs). */
export interface RecordedEvent {
  type: string;
  data: Record<string, unknown>;
  /** ISO 8601. */
  at: string;
}

export type ReplayResult =
  | { ok: true; status: OrderStatus; totalCents: number; paidCents: number | null }
  | { ok: false; index: number; reason: string };

function num(data: Record<string, unknown>, field: string): number {
  const value = data[field];
  if (typeof value !== 'number') throw new Error(`data.${field} is not a number`);
  return value;
}

/** The machine event a recorded event stands for (CREATED has none). */
export function toMachineEvent(recorded: RecordedEvent): OrderEvent {
  const at = Date.parse(recorded.at);
  const { data } = recorded;
  switch (recorded.type) {
    case 'PAY':
      return { type: 'PAY', amountCents: num(data, 'amountCents'), at };
    case 'REPRICE':
      return { type: 'REPRICE', totalCents: num(data, 'totalCents') };
    case 'EXPIRE':
      return { type: 'EXPIRE', at };
    case 'CANCEL':
    case 'SHIP':
    case 'DELIVER':
    case 'REFUND':
      return { type: recorded.type };
    default:
      throw new Error(`unknown event type ${recorded.type}`);
  }
}

/**
 * Replays an order's events through the machine from its CREATED event (guarantee 4).
 * `paymentDueAt` (ISO 8601) is the order's due time, which PAY and EXPIRE are judged by.
 */
export function replay(events: readonly RecordedEvent[], paymentDueAt: string): ReplayResult {
  const [created, ...rest] = events;
  if (created?.type !== 'CREATED')
    return { ok: false, index: 0, reason: 'the first event is not CREATED' };
  let snapshot: OrderSnapshot;
  try {
    snapshot = snapshotOf('pending_payment', {
      totalCents: num(created.data, 'totalCents'),
      paidCents: null,
      paymentDueAt: Date.parse(paymentDueAt),
    });
  } catch (error) {
    return { ok: false, index: 0, reason: String(error) };
  }
  for (const [i, recorded] of rest.entries()) {
    let event: OrderEvent;
    try {
      event = toMachineEvent(recorded);
    } catch (error) {
      return { ok: false, index: i + 1, reason: String(error) };
    }
    const result = step(snapshot, event);
    if (!result.ok) {
      return {
        ok: false,
        index: i + 1,
        reason: `${recorded.type} refused in ${statusOf(snapshot)}: ${result.refusal}`,
      };
    }
    snapshot = result.next;
  }
  const { totalCents, paidCents } = snapshot.context;
  return { ok: true, status: statusOf(snapshot), totalCents, paidCents };
}
