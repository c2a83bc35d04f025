import type Redis from 'ioredis';
import { LockBusyError, lockKey, type LockManager } from '@order-coordinator/lock';

/** What one process's call did: ran the job, found it done, or found it running elsewhere. */
export type RunOnceOutcome = 'ran' | 'done' | 'busy';

/**
 * Runs `job` once for `runId` however many processes call this at once or later (the
 * nightly report for 2026-11-23, say). The lock lets one process at a time look; the
 * record of completion, read and written under the lock, stops every later one. A holder
 * that dies before writing the record leaves the run to whoever calls next: at least
 * once, never twice at the same time while the lease holds; a job whose effect must not
 * repeat after a lost lease keeps its own fencing check (an idempotent write).
 */
export async function runOnce(
  locks: LockManager,
  redis: Redis,
  runId: string,
  job: (signal: AbortSignal) => Promise<void>,
): Promise<RunOnceOutcome> {
  const key = lockKey('job', runId);
  const done = `${key}:done`; // same hash tag as the lock: one Cluster slot
  if ((await redis.exists(done)) === 1) return 'done'; // the common case: no lock needed
  try {
    return await locks.withLock(key, { ttlMs: 30_000, waitMs: 0 }, async (signal) => {
      if ((await redis.exists(done)) === 1) return 'done'; // finished while we queued
      await job(signal);
      signal.throwIfAborted(); // lost the lock mid-job: do not claim the run
      await redis.set(done, new Date().toISOString(), 'EX', 7 * 24 * 3600);
      return 'ran';
    });
  } catch (error) {
    if (error instanceof LockBusyError) return 'busy'; // another process is running it
    throw error;
  }
}
