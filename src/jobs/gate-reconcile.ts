import { fillGate, readFills, type GateBase } from '../catalog/gate';
import { withDeadline, type LockManager } from '@order-coordinator/lock';
import type { Logger } from '../logger';
import { startJob, type Job } from './job';

export const JOB_NAME = 'gate-reconcile';
/** Things read from PostgreSQL per statement. */
const BATCH = 500;

export interface GateReconcilerDeps {
  /** The stock gate; its products are reset on every pass. */
  gate: GateBase;
  /** More gates reset by the same pass (the coupon gate). */
  others?: readonly GateBase[];
  locks: LockManager;
  logger: Logger;
  /** The job lock's lease; a pass takes far less. */
  lockTtlMs: number;
}

/** `runOnce` resolves with how many things (products, coupons) it reset. */
export type GateReconciler = Job;

/**
 * One gate's part of a pass: every thing with gate state gets PostgreSQL's (a
 * product's units left and holdings, a coupon's count and claimants). Orders between
 * their take and their commit are counted by the stock gate and not yet by the
 * database: the reset counts them in from the merchant's orders in flight (an entry of a
 * process killed in between goes stale after 1.5 s, and its units come back). What
 * changes between the read and the write (a commit, a take, an undo) can leave the
 * gate a little off, which the next pass repairs: drift lasts at most about one period.
 */
async function reconcile(gate: GateBase, signal: AbortSignal): Promise<number> {
  const { redis, options, kind } = gate;
  const members = await withDeadline(
    redis.smembers(kind.registry),
    options.timeoutMs,
    'the gated things',
  );
  const ids = members.flatMap((m) => m.split('/').slice(1, 2));
  let reset = 0;
  for (let i = 0; i < ids.length && !signal.aborted; i += BATCH) {
    const fills = await readFills(kind, redis, gate.db, ids.slice(i, i + BATCH), options.timeoutMs);
    for (const fill of fills) {
      if (signal.aborted) break;
      if (await fillGate(redis, fill, 'reset', options.timeoutMs)) reset++;
    }
  }
  return reset;
}

/**
 * The gates' reconciler. Every instance runs the timer; a lock on the job makes one
 * instance at a time do the work (the others skip that pass), every `intervalMs`.
 */
export function startGateReconciler(deps: GateReconcilerDeps, intervalMs: number): GateReconciler {
  const gates = [deps.gate, ...(deps.others ?? [])];
  return startJob({
    name: JOB_NAME,
    intervalMs,
    lockTtlMs: deps.lockTtlMs,
    locks: deps.locks,
    logger: deps.logger,
    pass: async (signal) => {
      let reset = 0;
      for (const gate of gates) reset += await reconcile(gate, signal);
      return reset;
    },
  });
}
