import { GATED_PRODUCTS, fillGate, readGateSources, type StockGate } from '../catalog/gate';
import { withDeadline, type LockManager } from '../lock';
import type { Logger } from '../logger';
import { startJob, type Job } from './job';

export const JOB_NAME = 'gate-reconcile';
/** Products read from PostgreSQL per statement. */
const BATCH = 500;

export interface GateReconcilerDeps {
  gate: StockGate;
  locks: LockManager;
  logger: Logger;
  /** The job lock's lease; a pass takes far less. */
  lockTtlMs: number;
}

/** `runOnce` resolves with how many products it reset. */
export type GateReconciler = Job;

/**
 * One pass: every product with gate state gets PostgreSQL's units left and holdings.
 * Orders between their take and their commit are counted by the gate and not yet by
 * the database, so a reset briefly admits too many (PostgreSQL refuses them); it can
 * only admit too few for the time between its read and its write (a give-back landing
 * in between), which the next pass repairs: drift lasts at most one period.
 */
async function reconcile(deps: GateReconcilerDeps, signal: AbortSignal): Promise<number> {
  const { redis, options } = deps.gate;
  const members = await withDeadline(
    redis.smembers(GATED_PRODUCTS),
    options.timeoutMs,
    'the gated products',
  );
  const ids = members.flatMap((m) => m.split('/').slice(1, 2));
  let reset = 0;
  for (let i = 0; i < ids.length && !signal.aborted; i += BATCH) {
    const sources = await readGateSources(deps.gate.db, ids.slice(i, i + BATCH));
    for (const source of sources) {
      if (signal.aborted) break;
      if (await fillGate(redis, source, 'reset', options.timeoutMs)) reset++;
    }
  }
  return reset;
}

/**
 * The gate's reconciler. Every instance runs the timer; a lock on the job makes one
 * instance at a time do the work (the others skip that pass), every `intervalMs`.
 */
export function startGateReconciler(deps: GateReconcilerDeps, intervalMs: number): GateReconciler {
  return startJob({
    name: JOB_NAME,
    intervalMs,
    lockTtlMs: deps.lockTtlMs,
    locks: deps.locks,
    logger: deps.logger,
    pass: (signal) => reconcile(deps, signal),
  });
}
