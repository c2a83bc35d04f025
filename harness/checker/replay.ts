import type { EventRecord, OrderRow, Violation } from '../types';
import { asNumber } from '../util/json';
import type { OrderCase } from './case';
import { describe } from './events';

export interface ReplayStep {
  version: number;
  /** The machine took the event (it was allowed in that state and its guard passed). */
  accepted: boolean;
  /** The status after the event. */
  status: string;
}

export interface ReplayResult {
  steps: ReplayStep[];
  status: string | undefined;
  totalCents: number | undefined;
  paidCents: number | null;
  /** The replay could not run at all (no CREATED, the machine threw, ...). */
  error?: string;
}

/** Replays an order's events from `CREATED` through an order machine. */
export type Replayer = (events: readonly EventRecord[], order: OrderRow) => ReplayResult;

/**
 * Guarantee 4: replaying the events reproduces the stored status and totals, each event
 * is one the machine accepts in the state before it, and each event's `fromStatus` and
 * `toStatus` are the machine's. Stops at the first event the replay disagrees with.
 */
export function checkReplay(c: OrderCase, replay: Replayer): Violation[] {
  const out: Violation[] = [];
  const v = (kind: string, message: string): void => {
    out.push({ guarantee: 4, kind, orderId: c.order.id, message });
  };
  const result = replay(c.events, c.order);
  if (result.error !== undefined) {
    v('replay-failed', `the replay failed: ${result.error}`);
    return out;
  }
  let before: string | null = null;
  for (const [i, e] of c.events.entries()) {
    const step = result.steps[i];
    if (step === undefined) break;
    if (!step.accepted) {
      v('replay-rejected', `the machine does not accept event ${describe(e)} in status ${before}`);
      break;
    }
    if (e.fromStatus !== before || e.toStatus !== step.status) {
      v(
        'replay-status-mismatch',
        `event ${describe(e)} says ${e.fromStatus ?? '-'}->${e.toStatus}, the machine ${before ?? '-'}->${step.status}`,
      );
      break;
    }
    before = step.status;
  }
  const { order } = c;
  if (result.status !== order.status) {
    v('replay-status', `the replay ends in ${result.status}, the order is ${order.status}`);
  }
  if (result.totalCents !== order.totalCents) {
    v(
      'replay-total',
      `the replay's total is ${result.totalCents}, the order's ${order.totalCents}`,
    );
  }
  if (result.paidCents !== order.paidCents) {
    v('replay-paid', `the replay paid ${result.paidCents}, the order says ${order.paidCents}`);
  }
  return out;
}

const CONTRACT_TRANSITIONS: Record<string, Record<string, string>> = {
  pending_payment: {
    PAY: 'paid',
    REPRICE: 'pending_payment',
    CANCEL: 'cancelled',
    EXPIRE: 'cancelled',
  },
  paid: { SHIP: 'shipped', REFUND: 'refunded' },
  shipped: { DELIVER: 'delivered' },
};

/**
 * The transition table of API.md as a replayer: the reference the harness's own unit
 * tests use, and a second opinion next to the project's machine.
 */
export function replayByContract(events: readonly EventRecord[]): ReplayResult {
  const created = events[0];
  if (created?.type !== 'CREATED') {
    return {
      steps: [],
      status: undefined,
      totalCents: undefined,
      paidCents: null,
      error: 'no CREATED event first',
    };
  }
  let status = 'pending_payment';
  let totalCents = asNumber(created.data.totalCents);
  let paidCents: number | null = null;
  const steps: ReplayStep[] = [{ version: created.version, accepted: true, status }];
  for (const e of events.slice(1)) {
    const next = CONTRACT_TRANSITIONS[status]?.[e.type];
    const amount = asNumber(e.data.amountCents);
    const accepted = next !== undefined && (e.type !== 'PAY' || amount === totalCents);
    if (accepted) {
      status = next;
      if (e.type === 'REPRICE') totalCents = asNumber(e.data.totalCents);
      if (e.type === 'PAY') paidCents = amount ?? null;
    }
    steps.push({ version: e.version, accepted, status });
  }
  return { steps, status, totalCents, paidCents };
}
