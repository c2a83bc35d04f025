import { performance } from 'node:perf_hooks';
import type { Knex } from 'knex';
import type { Db } from '../src/db/knex';
import { loadOrder } from '../src/db/orders.repo';
import { writeTransition } from '../src/db/transitions.repo';
import { runTransition, type CoordinatorDeps } from '../src/orders/coordinator';
import { planTransition, type PlanRequest } from '../src/orders/plan';
import type { Actor } from '../src/orders/policy';

/**
 * One REPRICE (merchant, pending_payment -> pending_payment): it can repeat forever on
 * one order, so every strategy below does the same PostgreSQL work on every call.
 */
export type Transition = (orderId: string, totalCents: number) => Promise<void>;

/** Where strategies report how long a call waited for its turn on the order (ms). */
export type WaitSink = (ms: number) => void;

const reprice = (actor: Actor, orderId: string, totalCents: number): PlanRequest => ({
  orderId,
  actor,
  intent: { type: 'REPRICE', totalCents },
});

/** The thing measured: lock -> load -> plan -> write with the version check. */
export function viaCoordinator(deps: CoordinatorDeps, actor: Actor): Transition {
  return async (orderId, totalCents) => {
    await runTransition(deps, reprice(actor, orderId, totalCents));
  };
}

/** Retries of the version-check-only baseline before it gives up (never reached uncontended). */
const MAX_ATTEMPTS = 50;

/** The version conflict a baseline met more than MAX_ATTEMPTS times. */
export class VersionConflictError extends Error {
  readonly code = 'version_conflict';
}

/**
 * Baseline without any lock: load + plan + write, and on a version conflict start again.
 * Same statements as the coordinator's critical section, no Redis at all.
 */
export function versionCheckOnly(db: Db, actor: Actor): Transition {
  return async (orderId, totalCents) => {
    const req = reprice(actor, orderId, totalCents);
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const plan = planTransition(await loadOrder(db, orderId), req);
      const version = await writeTransition(db, plan.write);
      if (version !== undefined) {
        plan.orderAt(version);
        return;
      }
    }
    throw new VersionConflictError(`${orderId}: ${MAX_ATTEMPTS} version conflicts in a row`);
  };
}

/**
 * Baseline with PostgreSQL's row lock instead of Redis: one transaction that selects the
 * order row FOR UPDATE, then runs the same load + plan + write inside it. Reports the
 * wait from the call to the row lock being granted (pool wait included) to `onWait`.
 */
export function rowLock(db: Db, actor: Actor, onWait: WaitSink = () => undefined): Transition {
  return async (orderId, totalCents) => {
    const req = reprice(actor, orderId, totalCents);
    const started = performance.now();
    await db.transaction(async (trx: Knex.Transaction) => {
      await trx.raw('select id from orders where id = ? for update', [orderId]);
      onWait(performance.now() - started);
      const plan = planTransition(await loadOrder(trx, orderId), req);
      const version = await writeTransition(trx, plan.write);
      if (version === undefined)
        throw new VersionConflictError(`${orderId}: moved under a row lock`);
      plan.orderAt(version);
    });
  };
}
