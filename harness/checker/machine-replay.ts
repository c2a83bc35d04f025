import { snapshotOf, statusOf, step, toMachineEvent, type OrderSnapshot } from '../../machines';
import type { EventRecord, OrderRow } from '../types';
import { asNumber } from '../util/json';
import type { ReplayResult, ReplayStep } from './replay';

/**
 * Guarantee 4 through the project's own order machine: rebuilds the snapshot of a new
 * order from `CREATED` (its total, no payment, the order's due time) and feeds every
 * later event through the machine's pure `step` (XState's `transition`), step by step,
 * so the checker can name the first event the machine would not have taken.
 */
export function replayByMachine(events: readonly EventRecord[], order: OrderRow): ReplayResult {
  const [created, ...rest] = events;
  const totalCents = asNumber(created?.data.totalCents);
  if (created?.type !== 'CREATED' || totalCents === undefined) {
    return failed('the first event is not a CREATED with a totalCents');
  }
  let snapshot: OrderSnapshot = snapshotOf('pending_payment', {
    totalCents,
    paidCents: null,
    paymentDueAt: order.paymentDueAt,
  });
  const steps: ReplayStep[] = [
    { version: created.version, accepted: true, status: statusOf(snapshot) },
  ];
  for (const e of rest) {
    let accepted = false;
    try {
      const result = step(snapshot, toMachineEvent(e));
      if (result.ok) {
        snapshot = result.next;
        accepted = true;
      }
    } catch {
      // An event the machine does not know (or without its fields): not accepted.
    }
    steps.push({ version: e.version, accepted, status: statusOf(snapshot) });
  }
  return {
    steps,
    status: statusOf(snapshot),
    totalCents: snapshot.context.totalCents,
    paidCents: snapshot.context.paidCents,
  };
}

function failed(error: string): ReplayResult {
  return { steps: [], status: undefined, totalCents: undefined, paidCents: null, error };
}
