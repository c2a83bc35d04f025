import type { Config } from '../config';
import type { Db } from '../db/knex';
import type { IdempotencyHandle, StoredResponse } from '../db/idempotency.repo';
import { loadOrder } from '../db/orders.repo';
import { uniqueViolation } from '../db/pg-errors';
import { writeTransition } from '../db/transitions.repo';
import { AppError } from '../errors';
import { lockKey, type LockManager } from '../lock';
import type { Logger } from '../logger';
import { storeAnswer } from './answers';
import { blockProcess } from './faults';
import { planTransition, type PlanRequest } from './plan';

export interface CoordinatorDeps {
  db: Db;
  locks: LockManager;
  config: Pick<
    Config,
    'LOCK_TTL_MS' | 'LOCK_WAIT_MS' | 'TEST_FAULTS' | 'TEST_DISABLE_VERSION_CHECK'
  >;
  logger: Logger;
}

export interface TransitionRequest extends PlanRequest {
  idempotency?: IdempotencyHandle;
  /** Test-only pause inside the critical section (honoured when TEST_FAULTS is on). */
  pauseMs?: number;
}

/** The version moved on under us: the lock was lost and nothing was written. */
const STALE = Symbol('stale');

/**
 * Applies one event to one order: under the order's lock it re-reads the order, checks
 * `If-Match`, the caller's role and the machine, then writes with the version check.
 * A write that finds the version moved on (the lock lapsed) is retried once from the
 * start; a second one answers 409 `order_busy`.
 * @returns the response: 200 with the updated order and its ETag.
 * @throws AppError with the contract's code for every refusal.
 */
export async function runTransition(
  deps: CoordinatorDeps,
  req: TransitionRequest,
): Promise<StoredResponse> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(deps, req);
    if (outcome !== STALE) return outcome;
    deps.logger.warn({ orderId: req.orderId, attempt }, 'stale write refused by the version check');
    if (attempt >= 2) {
      throw new AppError(
        'order_busy',
        'The order changed while this request was paused; nothing was applied.',
        {
          retryAfterSeconds: 1,
        },
      );
    }
  }
}

/**
 * One locked attempt. The lock answers with what the routine answered: a write that
 * passed the version check stands whatever happens to the lock afterwards (lost, Redis
 * away, an error reply on release), and a loss before the write shows in `signal`.
 */
function attemptOnce(
  deps: CoordinatorDeps,
  req: TransitionRequest,
): Promise<StoredResponse | typeof STALE> {
  const options = { ttlMs: deps.config.LOCK_TTL_MS, waitMs: deps.config.LOCK_WAIT_MS };
  return deps.locks.withLock(lockKey('order', req.orderId), options, (signal) =>
    decideAndWrite(deps, req, signal),
  );
}

async function decideAndWrite(
  deps: CoordinatorDeps,
  req: TransitionRequest,
  signal: AbortSignal,
): Promise<StoredResponse | typeof STALE> {
  const { write, respond } = planTransition(await loadOrder(deps.db, req.orderId), req);
  if (deps.config.TEST_FAULTS && req.pauseMs) blockProcess(req.pauseMs);
  if (signal.aborted) return STALE;
  const checked = { ...write, skipVersionCheck: deps.config.TEST_DISABLE_VERSION_CHECK };
  try {
    const idempotency = req.idempotency;
    const version = idempotency
      ? await deps.db.transaction(async (trx) => {
          const written = await writeTransition(trx, checked);
          if (written === undefined) return undefined;
          await storeAnswer(trx, idempotency, respond(written));
          return written;
        })
      : await writeTransition(deps.db, checked);
    return version === undefined ? STALE : respond(version);
  } catch (error) {
    // Two unchecked writers picked the same event number (TEST_DISABLE_VERSION_CHECK only).
    if (uniqueViolation(error) === 'order_events_pkey') return STALE;
    throw error;
  }
}
