/** How an acquisition ended, as the wait histogram labels it. */
export type WaitOutcome = 'acquired' | 'busy' | 'aborted' | 'unavailable';

/** Hooks the lock manager calls; all durations are milliseconds. */
export interface LockMetrics {
  /** An acquisition finished after `ms` (including time queued locally and in Redis). */
  waited(ms: number, outcome: WaitOutcome): void;
  /** A lock was held `ms`, from grant to release. */
  held(ms: number): void;
  /** An acquisition had to wait: the key was busy on its first try. */
  contended(): void;
  /** A renewal ran; `ok` false when it could not reach Redis. */
  renewed(ok: boolean): void;
  /** A held lock was found lost (expired, taken, or its lease lapsed unrenewed). */
  lost(): void;
}

/** Metrics that record nothing: the default. */
export const noLockMetrics: LockMetrics = {
  waited: () => undefined,
  held: () => undefined,
  contended: () => undefined,
  renewed: () => undefined,
  lost: () => undefined,
};
