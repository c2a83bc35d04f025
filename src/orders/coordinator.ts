import type { StockGate } from '../catalog/gate';
import type { Config } from '../config';
import { onOneConnection, type Db, type InTransaction } from '../db/knex';
import { loadOrder, type OrderRow } from '../db/orders.repo';
import { uniqueViolation } from '../db/pg-errors';
import { writeTransition } from '../db/transitions.repo';
import { AppError } from '../errors';
import { lockKey, type LockManager } from '@order-coordinator/lock';
import type { Logger } from '../logger';
import type { TransitionFaults } from './faults';
import { planTransition, type PlanRequest } from './plan';
import type { OrderView } from './view';

export interface CoordinatorDeps {
  db: Db;
  locks: LockManager;
  config: Pick<Config, 'LOCK_TTL_MS' | 'LOCK_WAIT_MS'>;
  logger: Logger;
  /** The Redis stock gate, given back what a cancelled, expired or refunded order held. */
  gate?: StockGate;
  /** Test-only faults; absent in production. */
  faults?: TransitionFaults;
}

export interface TransitionRequest extends PlanRequest {
  /** Runs in the transition's transaction, after its write, with the updated order. */
  inTransaction?: InTransaction<OrderView>;
}

/** The version moved on under us: the lock was lost and nothing was written. */
const STALE = Symbol('stale');

/**
 * Applies one event to one order: under the order's lock it re-reads the order, checks
 * `If-Match`, the caller's role and the machine, then writes with the version check.
 * A write that finds the version moved on (the lock lapsed) is retried once from the
 * start; a second one is refused as `order_busy`.
 * @returns the order as the transition left it.
 * @throws AppError with the contract's code for every refusal; the lock's errors
 *   (LockBusyError, LockUnavailableError) when the order's lock cannot be had.
 */
export async function runTransition(
  deps: CoordinatorDeps,
  req: TransitionRequest,
): Promise<OrderView> {
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(deps, req);
    if (outcome !== STALE) {
      // After the commit and outside the lock: the gate may only see units the database
      // already has back, and a slow Redis must not lengthen the order's critical section.
      if (outcome.freed) await giveBack(deps, outcome.freed);
      return outcome.order;
    }
    deps.logger.warn({ orderId: req.orderId, attempt }, 'stale write refused by the version check');
    if (attempt >= 2) {
      throw new AppError(
        'order_busy',
        'The order changed while this request was paused; nothing was applied.',
        { retryAfterSeconds: 1 },
      );
    }
  }
}

/**
 * One locked attempt. The lock answers with what the routine answered: a write that
 * passed the version check stands whatever happens to the lock afterwards (lost, Redis
 * away, an error reply on release), and a loss before the write shows in `signal`.
 */
/** A written transition: the order it left, and the order as read when it freed stock. */
interface Written {
  order: OrderView;
  freed?: OrderRow;
}

function attemptOnce(
  deps: CoordinatorDeps,
  req: TransitionRequest,
): Promise<Written | typeof STALE> {
  const options = { ttlMs: deps.config.LOCK_TTL_MS, waitMs: deps.config.LOCK_WAIT_MS };
  return deps.locks.withLock(lockKey('order', req.orderId), options, (signal) =>
    decideAndWrite(deps, req, signal),
  );
}

/** The critical section: read, decide and write on one pool connection, taken once. */
function decideAndWrite(
  deps: CoordinatorDeps,
  req: TransitionRequest,
  signal: AbortSignal,
): Promise<Written | typeof STALE> {
  return onOneConnection(deps.db, (db) => decideAndWriteOn({ ...deps, db }, req, signal));
}

async function decideAndWriteOn(
  deps: CoordinatorDeps,
  req: TransitionRequest,
  signal: AbortSignal,
): Promise<Written | typeof STALE> {
  const loaded = await loadOrder(deps.db, req.orderId);
  const { write, orderAt } = planTransition(loaded, req);
  deps.faults?.beforeWrite();
  if (signal.aborted) return STALE;
  const guard = deps.faults?.guard;
  try {
    const inTransaction = req.inTransaction;
    const version = inTransaction
      ? await deps.db.transaction(async (trx) => {
          const written = await writeTransition(trx, write, guard);
          if (written !== undefined) await inTransaction(trx, orderAt(written));
          return written;
        })
      : await writeTransition(deps.db, write, guard);
    if (version === undefined) return STALE;
    const order = orderAt(version);
    return write.releaseStock && loaded ? { order, freed: loaded } : { order };
  } catch (error) {
    // Two unchecked writers picked the same event number (LAST_WRITER_WINS faults only).
    if (uniqueViolation(error) === 'order_events_pkey') return STALE;
    throw error;
  }
}

/**
 * Gives the gate back what the order took when it was placed (its record says how much,
 * so this gives nothing twice). Best effort: the gate logs a failure and the
 * reconciler repairs the drift within one period.
 */
async function giveBack(deps: CoordinatorDeps, order: OrderRow): Promise<void> {
  await deps.gate?.give({
    orderId: order.id,
    merchantId: order.merchant_id,
    buyerId: order.buyer_id,
    productIds: order.items.map((i) => i.productId),
  });
}
