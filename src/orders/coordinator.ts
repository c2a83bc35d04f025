import {
  ORDER_MACHINE_VERSION,
  eventsAcceptedIn,
  snapshotOf,
  statusOf,
  step,
  type Refusal,
} from '../../machines';
import type { Config } from '../config';
import type { Db } from '../db/knex';
import { completeKey, type IdempotencyHandle, type StoredResponse } from '../db/idempotency.repo';
import { loadOrder, type LoadedOrder } from '../db/orders.repo';
import { uniqueViolation } from '../db/pg-errors';
import { writeTransition } from '../db/transitions.repo';
import { AppError } from '../errors';
import { LockLostError, lockKey, type LockManager } from '../lock';
import type { Logger } from '../logger';
import { blockProcess } from './faults';
import { eventData, toEvent, type Intent } from './intents';
import { maySee, maySend, type Actor } from './policy';
import { etagOf, orderView } from './view';

export interface CoordinatorDeps {
  db: Db;
  locks: LockManager;
  config: Pick<
    Config,
    'LOCK_TTL_MS' | 'LOCK_WAIT_MS' | 'TEST_FAULTS' | 'TEST_DISABLE_VERSION_CHECK'
  >;
  logger: Logger;
}

export interface TransitionRequest {
  orderId: string;
  actor: Actor;
  intent: Intent;
  /** Parsed `If-Match`: '*' or the versions it names; absent when not sent. */
  ifMatch?: '*' | number[];
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

async function attemptOnce(
  deps: CoordinatorDeps,
  req: TransitionRequest,
): Promise<StoredResponse | typeof STALE> {
  let outcome: StoredResponse | typeof STALE | undefined;
  const options = { ttlMs: deps.config.LOCK_TTL_MS, waitMs: deps.config.LOCK_WAIT_MS };
  try {
    await deps.locks.withLock(lockKey('order', req.orderId), options, async (signal) => {
      outcome = await decideAndWrite(deps, req, signal);
    });
  } catch (error) {
    if (!(error instanceof LockLostError)) throw error;
    // Lost before the write: nothing written, start again. Lost after it: the write
    // passed the version check, so it stands.
    if (outcome === undefined) return STALE;
    deps.logger.warn({ orderId: req.orderId }, 'lock lost after a checked write; the write stands');
  }
  if (outcome === undefined) throw new Error('the lock routine ended without an outcome');
  return outcome;
}

async function decideAndWrite(
  deps: CoordinatorDeps,
  req: TransitionRequest,
  signal: AbortSignal,
): Promise<StoredResponse | typeof STALE> {
  const order = await loadOrder(deps.db, req.orderId);
  if (!order || !maySee(req.actor, order)) {
    throw new AppError('order_not_found', `Order ${req.orderId} does not exist.`);
  }
  checkIfMatch(req.ifMatch, order.version);
  if (!maySend(req.actor, req.intent.type)) {
    throw new AppError('forbidden', `A ${req.actor.role} may not send ${req.intent.type}.`);
  }
  const snapshot = snapshotOf(order.status, {
    totalCents: order.total_cents,
    paidCents: order.paid_cents,
    paymentDueAt: order.payment_due_at.getTime(),
  });
  const result = step(snapshot, toEvent(req.intent, order.db_now.getTime()));
  if (!result.ok) throw refusal(result.refusal, order, req);

  if (deps.config.TEST_FAULTS && req.pauseMs) blockProcess(req.pauseMs);
  if (signal.aborted) return STALE;

  const next = result.next;
  const toStatus = statusOf(next);
  const view = {
    ...orderView(order),
    status: toStatus,
    totalCents: next.context.totalCents,
    paidCents: next.context.paidCents,
    version: order.version + 1,
    updatedAt: order.db_now.toISOString(),
  };
  const write = {
    orderId: order.id,
    readVersion: order.version,
    fromStatus: order.status,
    toStatus,
    totalCents: next.context.totalCents,
    paidCents: next.context.paidCents,
    releaseStock: result.actions.includes('releaseStock'),
    machineState: { value: next.value, context: next.context },
    machineVersion: ORDER_MACHINE_VERSION,
    event: {
      type: req.intent.type,
      actorRole: req.actor.role,
      actorId: req.actor.id,
      data: eventData(req.intent, order.total_cents),
    },
    at: order.db_now,
    skipVersionCheck: deps.config.TEST_DISABLE_VERSION_CHECK,
  };
  const respond = (version: number): StoredResponse => ({
    status: 200,
    headers: { ETag: etagOf(version) },
    body: { ...view, version },
  });
  try {
    const idempotency = req.idempotency;
    const version = idempotency
      ? await deps.db.transaction(async (trx) => {
          const written = await writeTransition(trx, write);
          if (written === undefined) return undefined;
          if (!(await completeKey(trx, idempotency, respond(written)))) throw keyTakenOver();
          return written;
        })
      : await writeTransition(deps.db, write);
    return version === undefined ? STALE : respond(version);
  } catch (error) {
    // Two unchecked writers picked the same event number (TEST_DISABLE_VERSION_CHECK only).
    if (uniqueViolation(error) === 'order_events_pkey') return STALE;
    throw error;
  }
}

function checkIfMatch(ifMatch: TransitionRequest['ifMatch'], version: number): void {
  if (ifMatch === undefined || ifMatch === '*' || ifMatch.includes(version)) return;
  throw new AppError(
    'precondition_failed',
    `If-Match does not match the order's version ${version}.`,
    {
      extensions: { currentVersion: version },
    },
  );
}

function refusal(code: Refusal, order: LoadedOrder, req: TransitionRequest): AppError {
  switch (code) {
    case 'price_changed':
      return new AppError('price_changed', `The order's total is now ${order.total_cents}.`, {
        extensions: { currentTotalCents: order.total_cents },
      });
    case 'payment_expired':
      return new AppError('payment_expired', 'The time to pay this order is over.', {
        extensions: { paymentDueAt: order.payment_due_at.toISOString() },
      });
    case 'invalid_transition':
      return new AppError(
        'invalid_transition',
        `${req.intent.type} is not allowed when the order is ${order.status}.`,
        {
          extensions: {
            currentStatus: order.status,
            allowedEvents: eventsAcceptedIn(order.status).filter((t) => maySend(req.actor, t)),
          },
        },
      );
  }
}

function keyTakenOver(): AppError {
  return new AppError(
    'idempotency_key_in_flight',
    'Another request with this Idempotency-Key took over.',
    {
      retryAfterSeconds: 1,
    },
  );
}
