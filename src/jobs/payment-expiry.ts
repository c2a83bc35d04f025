import type { Db } from '../db/knex';
import { deleteExpiredKeys } from '../db/idempotency.repo';
import { AppError } from '../errors';
import { LockBusyError, lockKey } from '../lock';
import { runTransition, type CoordinatorDeps } from '../orders/coordinator';
import type { Actor } from '../orders/policy';

export const JOB_NAME = 'payment-expiry';
const SYSTEM: Actor = { role: 'system', id: JOB_NAME };
/** Orders expired per query; a backlog is worked off in batches within one run. */
const BATCH = 200;
/** Orders expired at once: enough to clear a backlog, few enough to leave the pool to requests. */
const CONCURRENCY = 4;

export interface Sweeper {
  /** One pass now (what the timer runs); resolves with how many orders it expired. */
  runOnce: () => Promise<number>;
  stop: () => Promise<void>;
}

async function overdueOrderIds(db: Db): Promise<string[]> {
  const rows = await db('orders')
    .select('id')
    .where('status', 'pending_payment')
    .andWhere('payment_due_at', '<', db.fn.now())
    .orderBy('payment_due_at')
    .limit(BATCH);
  return rows.map((r: { id: string }) => r.id);
}

/** Sends EXPIRE to one order through the coordinator; false when there was nothing to do. */
async function expire(deps: CoordinatorDeps, orderId: string): Promise<boolean> {
  try {
    await runTransition(deps, { orderId, actor: SYSTEM, intent: { type: 'EXPIRE' } });
    return true;
  } catch (error) {
    // Paid or cancelled meanwhile, or busy: the next pass looks again if it is still due.
    if (error instanceof AppError && ['invalid_transition', 'order_busy'].includes(error.code))
      return false;
    throw error;
  }
}

async function sweep(deps: CoordinatorDeps, signal: AbortSignal): Promise<number> {
  let expired = 0;
  for (;;) {
    const ids = await overdueOrderIds(deps.db);
    let progress = 0;
    for (let i = 0; i < ids.length && !signal.aborted; i += CONCURRENCY) {
      const results = await Promise.all(
        ids.slice(i, i + CONCURRENCY).map((id) => expire(deps, id)),
      );
      progress += results.filter(Boolean).length;
    }
    expired += progress;
    if (ids.length < BATCH || progress === 0 || signal.aborted) break;
  }
  await deleteExpiredKeys(deps.db);
  return expired;
}

/**
 * The payment-expiry sweeper. Every instance runs the timer; a lock on the job makes one
 * instance at a time do the work (the others skip that pass), and each overdue order
 * gets its EXPIRE through the same coordinator path as any request, so exactly once.
 */
export function startPaymentExpirySweeper(deps: CoordinatorDeps, intervalMs: number): Sweeper {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  const runOnce = async (): Promise<number> => {
    try {
      const options = { ttlMs: deps.config.LOCK_TTL_MS, waitMs: 0 };
      return await deps.locks.withLock(lockKey('job', JOB_NAME), options, (signal) =>
        sweep(deps, signal),
      );
    } catch (error) {
      if (error instanceof LockBusyError) return 0; // another instance is sweeping
      deps.logger.warn({ err: error }, 'payment-expiry sweep failed; next pass retries');
      return 0;
    }
  };
  const tick = () => {
    running = runOnce().then((n) => {
      if (n > 0) deps.logger.info({ expired: n }, 'expired unpaid orders');
      return n;
    });
    void running.finally(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  timer = setTimeout(tick, intervalMs);

  return {
    runOnce,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
