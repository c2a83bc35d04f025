import { GATED_PRODUCTS, fillGate, readGateSources, type StockGate } from '../catalog/gate';
import { LockBusyError, lockKey, withDeadline, type LockManager } from '../lock';
import type { Logger } from '../logger';

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

export interface GateReconciler {
  /** One pass now (what the timer runs); resolves with how many products it reset. */
  runOnce: () => Promise<number>;
  stop: () => Promise<void>;
}

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
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  const stopping = new AbortController();

  const runOnce = async (): Promise<number> => {
    try {
      const options = { ttlMs: deps.lockTtlMs, waitMs: 0 };
      return await deps.locks.withLock(lockKey('job', JOB_NAME), options, (lost) =>
        reconcile(deps, AbortSignal.any([lost, stopping.signal])),
      );
    } catch (error) {
      if (error instanceof LockBusyError) return 0; // another instance reconciles
      deps.logger.warn({ err: error }, 'stock gate reconcile failed; next pass retries');
      return 0;
    }
  };
  const tick = () => {
    running = runOnce();
    void running.finally(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  timer = setTimeout(tick, intervalMs);

  return {
    runOnce,
    stop: async () => {
      stopped = true;
      stopping.abort();
      clearTimeout(timer);
      await running;
    },
  };
}
