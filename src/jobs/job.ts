import { LockBusyError, lockKey, type LockManager } from '@order-coordinator/lock';
import type { Logger } from '../logger';

/** A background job every instance runs; a job lock lets one work at a time. */
export interface Job {
  /** One pass now (what the timer runs); resolves with how many things it did. */
  runOnce: () => Promise<number>;
  /** Stops the timer and ends a pass in progress early (its signal fires); waits for it. */
  stop: () => Promise<void>;
}

export interface JobSpec {
  /** The job's name: its lock is `lockKey('job', name)`. */
  name: string;
  intervalMs: number;
  /** Lease of the job lock, renewed while a pass runs. */
  lockTtlMs: number;
  locks: LockManager;
  logger: Logger;
  /**
   * One pass; `signal` fires when the job lock is lost or the job stops: the pass then
   * ends after the work in hand.
   * @returns how many things it did (logged when above 0).
   */
  pass: (signal: AbortSignal) => Promise<number>;
}

/**
 * Starts `spec.pass` every `intervalMs` (from the end of one pass to the start of the
 * next) on every instance. The job lock is tried once (waitMs 0): while one instance
 * works, the others skip that pass. A pass that fails is logged; the next one retries.
 */
export function startJob(spec: JobSpec): Job {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  const stopping = new AbortController();

  const runOnce = async (): Promise<number> => {
    try {
      const options = { ttlMs: spec.lockTtlMs, waitMs: 0 };
      return await spec.locks.withLock(lockKey('job', spec.name), options, (lost) =>
        spec.pass(AbortSignal.any([lost, stopping.signal])),
      );
    } catch (error) {
      if (error instanceof LockBusyError) return 0; // another instance has this pass
      spec.logger.warn({ err: error, job: spec.name }, 'job pass failed; the next pass retries');
      return 0;
    }
  };
  const tick = () => {
    running = runOnce().then((n) => {
      if (n > 0) spec.logger.info({ job: spec.name, done: n }, 'job pass done');
      return n;
    });
    void running.finally(() => {
      if (!stopped) timer = setTimeout(tick, spec.intervalMs);
    });
  };
  timer = setTimeout(tick, spec.intervalMs);

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
