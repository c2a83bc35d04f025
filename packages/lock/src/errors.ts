/**
 * Integer status codes the Lua scripts in `lua/` return for expected outcomes. The one
 * place that turns them into errors is {@link errorForStatus}.
 */
export enum LockStatus {
  /** Acquired, released, extended or left. */
  Ok = 0,
  /** Another token holds the lock. */
  Busy = 1,
  /** The lock is free, but an earlier waiter is first in line. */
  Queued = 2,
  /** Nothing is stored under the key any more: the lease ran out. */
  Expired = 3,
  /** Another value is stored under the key: someone else holds it now. */
  Taken = 4,
}

export type LockErrorCode = 'busy' | 'lost' | 'unavailable';

/** Base of every error the lock module raises on purpose; branch on `code` or the class. */
export abstract class LockError extends Error {
  abstract readonly code: LockErrorCode;

  constructor(
    readonly key: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The lock stayed held by someone else for the whole wait. */
export class LockBusyError extends LockError {
  readonly code = 'busy';

  /**
   * @param remainingMs the holder's remaining lease in ms, as Redis PTTL reports it
   *   (0 when the lock is free but earlier waiters are first; -1 when the key has no expiry).
   */
  constructor(
    key: string,
    readonly remainingMs: number,
  ) {
    super(key, `lock ${key} is busy (holder's lease ends in ${remainingMs} ms)`);
  }
}

/** The lock is no longer ours: the lease ran out, or another value replaced our token. */
export class LockLostError extends LockError {
  readonly code = 'lost';
}

/** Redis could not be reached (or answered too late for a useful lease). */
export class LockUnavailableError extends LockError {
  readonly code = 'unavailable';
}

/**
 * The error for a script's status code, or undefined for the codes that are not errors
 * (`Ok`, and `Queued`/`Busy` while the caller still waits).
 * @param remainingMs the holder's remaining lease in ms, for `Busy` and `Queued`.
 */
export function errorForStatus(
  status: Exclude<LockStatus, LockStatus.Ok>,
  key: string,
  remainingMs?: number,
): LockError;
export function errorForStatus(
  status: LockStatus,
  key: string,
  remainingMs?: number,
): LockError | undefined;
export function errorForStatus(
  status: LockStatus,
  key: string,
  remainingMs = 0,
): LockError | undefined {
  switch (status) {
    case LockStatus.Ok:
      return undefined;
    case LockStatus.Busy:
    case LockStatus.Queued:
      return new LockBusyError(key, remainingMs);
    case LockStatus.Expired:
      return new LockLostError(key, `lock ${key} expired before it was released or extended`);
    case LockStatus.Taken:
      return new LockLostError(key, `lock ${key} is held by someone else now`);
    default:
      return new LockUnavailableError(key, `unexpected lock script status ${String(status)}`);
  }
}

/**
 * Redis error replies that mean "not now" rather than "wrong call": a server loading or
 * busy, a demoted primary after a failover (READONLY), a refused write (MISCONF: it cannot
 * persist; OOM: over maxmemory; NOREPLICAS). Redis puts the error's code in the reply's
 * first word (RESP), so that word is the code, not prose.
 */
const TRANSIENT_REPLY_CODES = new Set([
  'LOADING',
  'BUSY',
  'MASTERDOWN',
  'TRYAGAIN',
  'CLUSTERDOWN',
  'READONLY',
  'MISCONF',
  'OOM',
  'NOREPLICAS',
]);

/**
 * Turns an error thrown by a Redis command into the lock's vocabulary: connection
 * failures (no offline queue, closed socket, retries used up, a missed deadline) and
 * transient error replies become LockUnavailableError; a script bug (any other error
 * reply) stays as it is.
 */
export function toLockError(error: unknown, key: string): Error {
  if (error instanceof LockError) return error;
  if (error instanceof Error && error.name === 'ReplyError') {
    const replyCode = error.message.split(' ', 1)[0] ?? '';
    if (!TRANSIENT_REPLY_CODES.has(replyCode)) return error;
  }
  return new LockUnavailableError(key, `Redis is unavailable for lock ${key}`, { cause: error });
}
