/** How one acquisition behaves. Durations are integer milliseconds. */
export interface LockOptions {
  /** Lease in ms, renewed while `withLock` runs; an integer >= 10. */
  ttlMs: number;
  /** How long to wait for a busy key, in ms; 0 means a single try. */
  waitMs: number;
  /** The caller's own cancel of the wait: rejects with `signal.reason`, leaves no trace. */
  signal?: AbortSignal;
}

export const MIN_TTL_MS = 10;
/** setTimeout clamps larger delays to 1 ms, which would turn the watchdog into a busy loop. */
export const MAX_MS = 2_147_483_647;

/**
 * Checks a duration up front so that a bad value fails before any Redis call.
 * @throws TypeError when `value` is not a number; RangeError when it is not an integer
 *   in [min, 2^31 - 1].
 */
export function checkDuration(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number') throw new TypeError(`${name} must be a number of ms`);
  if (!Number.isInteger(value) || value < min || value > MAX_MS) {
    throw new RangeError(`${name} must be an integer from ${min} to ${MAX_MS} ms (got ${value})`);
  }
  return value;
}

/**
 * Validates {@link LockOptions}.
 * @throws TypeError for a missing object, a non-number duration or a non-AbortSignal
 *   `signal`; RangeError for `ttlMs` < 10, `waitMs` < 0 or a non-integer duration.
 */
export function checkLockOptions(options: LockOptions): LockOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('lock options must be an object');
  }
  checkDuration('ttlMs', options.ttlMs, MIN_TTL_MS);
  checkDuration('waitMs', options.waitMs, 0);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new TypeError('signal must be an AbortSignal');
  }
  return options;
}

/**
 * Safety margin subtracted from a lease before a lock counts as valid: 1% for clock-rate
 * drift between this process and Redis plus 2 ms for timer granularity (Redlock's rule).
 */
export function driftMs(ttlMs: number): number {
  return Math.floor(ttlMs * 0.01) + 2;
}

/** Renew at a third of the lease: two renewals can fail before it lapses. */
export function renewEveryMs(ttlMs: number): number {
  return Math.max(1, Math.floor(ttlMs / 3));
}
