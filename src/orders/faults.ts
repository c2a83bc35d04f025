import type { WriteGuard } from '../db/transitions.repo';

/**
 * Test-only faults the coordinator lets in through its dependencies (wired only when
 * TEST_FAULTS or TEST_DISABLE_VERSION_CHECK is on, see src/http/test-faults.ts); the
 * production path passes none and knows no flag.
 */
export interface TransitionFaults {
  /** Runs inside the critical section, after the read and before the write. */
  beforeWrite(): void;
  /** Runs when a new order's units were taken from the stock gate, before its transaction. */
  afterGate?(): void;
  /** Replaces the version check (the harness's "can it see" runs). */
  guard?: WriteGuard;
}

/**
 * The naive write the version check exists to prevent: last writer wins. The event
 * takes the next free number, so two writers that read the same version both write.
 */
export const LAST_WRITER_WINS: WriteGuard = {
  setVersion: (w) => ({ sql: '?', args: [w.readVersion + 1] }),
  where: (w) => ({ sql: 'id = ?', args: [w.orderId] }),
  seq: '(select coalesce(max(e.seq), 0) + 1 from order_events e where e.order_id = u.id)',
};

/**
 * Blocks the whole process for `ms`, as a long GC pause or a frozen VM would. Timers
 * cannot fire meanwhile, so the lock's watchdog cannot renew and a lease shorter than the
 * pause lapses while the holder still believes it holds it.
 */
export function blockProcess(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
