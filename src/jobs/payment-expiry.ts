import type { Db } from '../db/knex';
import { deleteExpiredKeys } from '../db/idempotency.repo';
import { AppError } from '../errors';
import { LockBusyError } from '@order-coordinator/lock';
import { runTransition, type CoordinatorDeps } from '../orders/coordinator';
import type { Actor } from '../orders/policy';
import { startJob, type Job } from './job';

export const JOB_NAME = 'payment-expiry';
const SYSTEM: Actor = { role: 'system', id: JOB_NAME };
/** Orders expired per query; a backlog is worked off in batches within one run. */
const BATCH = 200;
/** Orders expired at once: enough to clear a backlog, few enough to leave the pool to requests. */
const CONCURRENCY = 4;

/** `runOnce` resolves with how many orders it expired. */
export type Sweeper = Job;

/** The oldest overdue unpaid orders, leaving out those this pass already skipped. */
async function overdueOrderIds(db: Db, skipped: Set<string>): Promise<string[]> {
  const rows = await db('orders')
    .select('id')
    .where('status', 'pending_payment')
    .andWhere('payment_due_at', '<', db.fn.now())
    .whereNotIn('id', [...skipped])
    .orderBy('payment_due_at')
    .limit(BATCH);
  return rows.map((r: { id: string }) => r.id);
}

/**
 * Sends EXPIRE to one order through the coordinator. `expired` when it did; `gone` when
 * there was nothing to do (paid or cancelled meanwhile); `busy` when its lock stayed
 * held for the whole wait (a request is working on it: the next pass looks again).
 * @throws what the coordinator throws otherwise (Redis or PostgreSQL unavailable).
 */
async function expire(
  deps: CoordinatorDeps,
  orderId: string,
): Promise<'expired' | 'gone' | 'busy'> {
  try {
    await runTransition(deps, { orderId, actor: SYSTEM, intent: { type: 'EXPIRE' } });
    return 'expired';
  } catch (error) {
    if (error instanceof LockBusyError) return 'busy';
    if (error instanceof AppError && error.code === 'order_busy') return 'busy';
    if (error instanceof AppError && error.code === 'invalid_transition') return 'gone';
    throw error;
  }
}

/**
 * One pass: expires overdue orders in batches until none is left, skipping (and logging)
 * orders that stay busy; stops between two groups of CONCURRENCY orders once `signal`
 * fires (the job lock was lost, or the sweeper is stopping). Expired idempotency keys
 * are deleted at the end of every pass that was not stopped, whatever the orders did.
 */
async function sweep(deps: CoordinatorDeps, signal: AbortSignal): Promise<number> {
  let expired = 0;
  const skipped = new Set<string>();
  try {
    for (;;) {
      const ids = await overdueOrderIds(deps.db, skipped);
      let progress = 0;
      for (let i = 0; i < ids.length && !signal.aborted; i += CONCURRENCY) {
        const group = ids.slice(i, i + CONCURRENCY);
        const outcomes = await Promise.all(group.map((id) => expire(deps, id)));
        outcomes.forEach((outcome, k) => {
          if (outcome === 'expired') progress++;
          if (outcome === 'busy') skipped.add(group[k] ?? '');
        });
      }
      expired += progress;
      if (ids.length < BATCH || progress === 0 || signal.aborted) break;
    }
  } finally {
    if (skipped.size > 0) {
      deps.logger.info({ orderIds: [...skipped] }, 'payment-expiry skipped busy orders this pass');
    }
  }
  if (!signal.aborted) await deleteExpiredKeys(deps.db);
  return expired;
}

/**
 * The payment-expiry sweeper. Every instance runs the timer; a lock on the job makes one
 * instance at a time do the work (the others skip that pass), and each overdue order
 * gets its EXPIRE through the same coordinator path as any request, so exactly once.
 * `stop()` ends a pass after the orders in hand.
 */
export function startPaymentExpirySweeper(deps: CoordinatorDeps, intervalMs: number): Sweeper {
  return startJob({
    name: JOB_NAME,
    intervalMs,
    lockTtlMs: deps.config.LOCK_TTL_MS,
    locks: deps.locks,
    logger: deps.logger,
    pass: (signal) => sweep(deps, signal),
  });
}
