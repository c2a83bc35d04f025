import type { Observation, RequestRecord, Violation } from '../types';
import { casesOf } from './case';
import { checkCouponsInDatabase, checkCouponsInHistory } from './coupons';
import { checkEventLog, checkEventsMatchRequests, checkNothingAfterFinal } from './events';
import { checkFeed } from './feed';
import { checkGifts } from './gifts';
import { checkWebhooks } from './webhooks';
import { checkCreateIdempotency, checkIdempotency } from './idempotency';
import { checkLimitsInDatabase, checkLimitsInHistory } from './limits';
import { checkLinearizable } from './linearizability';
import { checkSellsAgain } from './probes';
import { checkReplay, type Replayer } from './replay';
import { checkFlash, checkStock } from './stock';
import { checkPaidTotals } from './totals';

/**
 * Violations that show a stale write went through: a transition acted on a state that
 * another one had already changed (what a missing version check produces).
 */
export const LOST_UPDATE_KINDS: ReadonlySet<string> = new Set([
  'lost-update',
  'reprice-after-pay',
  'two-successes-one-event',
  'event-after-final',
]);

export interface CheckOptions {
  /** Replays an order's events through the order machine (guarantee 4). */
  replay: Replayer;
  /**
   * How long after its `paymentDueAt` an unpaid order may still be `pending_payment` when
   * observed; undefined skips the check (the sweeper had no time to run).
   */
  expiryGraceMs?: number;
}

/**
 * Checks guarantees 1-11 of API.md against a recorded history and what the
 * database and the events API hold at the end. Pure: the same input gives the same
 * violations, in order of orders then checks.
 */
export function checkHistory(
  requests: readonly RequestRecord[],
  observation: Observation,
  options: CheckOptions,
): Violation[] {
  const { cases, orphans } = casesOf(requests, observation);
  const violations: Violation[] = [...orphans];
  for (const c of cases) {
    violations.push(
      ...checkEventLog(c),
      ...checkEventsMatchRequests(c),
      ...checkPaidTotals(c),
      ...checkNothingAfterFinal(c),
      ...checkReplay(c, options.replay),
      ...checkIdempotency(c),
      ...checkLinearizable(c),
    );
    const grace = options.expiryGraceMs;
    const due = c.order.paymentDueAt;
    if (
      grace !== undefined &&
      c.order.status === 'pending_payment' &&
      due + grace < observation.at
    ) {
      violations.push({
        guarantee: 'contract',
        kind: 'not-expired',
        orderId: c.order.id,
        message: `still pending_payment ${Math.round((observation.at - due) / 1000)} s after its paymentDueAt`,
      });
    }
  }
  violations.push(
    ...checkCreateIdempotency(requests),
    ...checkStock(observation),
    ...checkFlash(observation.flash),
    ...checkLimitsInDatabase(observation),
    ...checkLimitsInHistory(requests, observation),
    ...checkSellsAgain(observation.probes),
    ...checkCouponsInDatabase(observation),
    ...checkCouponsInHistory(requests, observation),
    ...checkGifts(observation),
    ...checkFeed(observation),
    ...checkWebhooks(observation),
  );
  return violations;
}

export type { Replayer } from './replay';
export { replayByContract } from './replay';
