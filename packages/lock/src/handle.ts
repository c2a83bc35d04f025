import { performance } from 'node:perf_hooks';
import type { RedisClient } from './client';
import type { LockLogger as Logger } from './logger';
import type { LockStatus } from './errors';
import { errorForStatus, LockLostError, toLockError } from './errors';
import type { LockKeys } from './keys';
import type { LockMetrics } from './metrics';
import { withDeadline } from './deadline';
import { checkDuration, driftMs, MIN_TTL_MS, renewEveryMs } from './options';
import { GRACE_MS, scriptKeys } from './scripts';

/** What a handle needs from its manager. */
export interface HandleDeps {
  redis: RedisClient;
  metrics: LockMetrics;
  logger: Logger;
  /** Deadline of one Redis round trip, ms: a stalled Redis costs at most this per call. */
  commandTimeoutMs: number;
}

/**
 * One held lock. Its validity is counted on the monotonic clock from before the command
 * that granted or extended it, minus a drift margin, so it ends before Redis's copy does.
 */
export class LockHandle {
  private readonly controller = new AbortController();
  private readonly grantedAt = performance.now();
  private expiresAt: number;
  private expiryTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private released = false;

  /** @internal built by LockManager.acquire */
  constructor(
    private readonly deps: HandleDeps,
    private readonly keys: LockKeys,
    readonly token: string,
    private ttlMs: number,
    sentAt: number,
    /** The lease Redis granted, when shorter than `ttlMs` (a hand-off). */
    leaseMs = ttlMs,
  ) {
    this.expiresAt = sentAt + leaseMs - driftMs(leaseMs);
    this.armExpiry();
  }

  get key(): string {
    return this.keys.lock;
  }

  /** Fires (reason: a LockLostError) when the lock is found lost or its lease lapses. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Ms of validity left on the monotonic clock (never negative). */
  remainingMs(): number {
    return Math.max(0, Math.floor(this.expiresAt - performance.now()));
  }

  /**
   * Resets the lease to `ttlMs` ms from now, if the lock is still ours. The local
   * validity becomes exactly the new lease (counted from before the call), also when it
   * is shorter than the old one: the holder always learns of the end first.
   * @throws RangeError/TypeError for a bad `ttlMs`; LockLostError when the lock expired,
   *   is held by someone else (the signal fires too) or was released already; LockUnavailableError when Redis
   *   cannot be reached.
   */
  async extend(ttlMs: number): Promise<void> {
    checkDuration('ttlMs', ttlMs, MIN_TTL_MS);
    if (this.released) throw new LockLostError(this.key, `lock ${this.key} was released`);
    if (this.controller.signal.aborted) throw this.lostReason();
    const sentAt = performance.now();
    let status: LockStatus;
    try {
      const { redis, commandTimeoutMs } = this.deps;
      const call = redis.lockExtend(this.keys.lock, this.token, ttlMs);
      status = await withDeadline(call, commandTimeoutMs, 'extend');
    } catch (error) {
      throw toLockError(error, this.key);
    }
    const error = errorForStatus(status, this.key);
    if (error !== undefined) {
      this.markLost(error);
      throw error;
    }
    this.ttlMs = ttlMs;
    this.expiresAt = sentAt + ttlMs - driftMs(ttlMs);
    this.armExpiry();
  }

  /**
   * Renews every third of the lease until release; used by withLock. A handed-over
   * lease shorter than `ttlMs` is renewed by half of what is left of it at the latest.
   */
  startWatchdog(): void {
    if (this.released || this.renewTimer !== undefined) return;
    const delay = Math.min(renewEveryMs(this.ttlMs), Math.max(1, this.remainingMs() >> 1));
    this.renewTimer = setTimeout(() => {
      this.renewing = this.renew().finally(() => {
        this.renewing = undefined;
        this.renewTimer = undefined;
        if (!this.released && !this.controller.signal.aborted) this.startWatchdog();
      });
    }, delay);
    this.renewTimer.unref();
  }

  /**
   * Stops renewing (after waiting for a renewal in flight, which has its own deadline)
   * and deletes the lock if it still holds our token; a lock someone else holds now is
   * never deleted. Idempotent. Takes at most two command deadlines.
   * @throws LockLostError when the lock was lost before the release (expired, taken, or
   *   its lease lapsed unrenewed); LockUnavailableError when Redis cannot be reached
   *   (the lock then ends with its lease).
   */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearTimeout(this.renewTimer);
    clearTimeout(this.expiryTimer);
    await this.renewing;
    this.deps.metrics.held(performance.now() - this.grantedAt);
    const lostBefore = this.controller.signal.aborted ? this.lostReason() : undefined;
    let status: LockStatus;
    try {
      const { redis, commandTimeoutMs } = this.deps;
      const { channel } = this.keys;
      const call = redis.lockRelease(...scriptKeys(this.keys), this.token, channel, GRACE_MS);
      status = await withDeadline(call, commandTimeoutMs, 'release');
    } catch (error) {
      throw lostBefore ?? toLockError(error, this.key);
    }
    const error = lostBefore ?? errorForStatus(status, this.key);
    if (error === undefined) return;
    if (lostBefore === undefined) this.deps.metrics.lost();
    throw error;
  }

  private async renew(): Promise<void> {
    try {
      await this.extend(this.ttlMs);
      this.deps.metrics.renewed(true);
    } catch (error) {
      if (error instanceof LockLostError) return; // extend() marked it lost
      // Transient: the next renewal a third of a lease later may still succeed.
      this.deps.metrics.renewed(false);
      this.deps.logger.warn({ err: error, key: this.key }, 'lock renewal failed');
    }
  }

  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    if (this.released) return;
    this.expiryTimer = setTimeout(
      () => {
        this.markLost(new LockLostError(this.key, `lease of lock ${this.key} lapsed unrenewed`));
      },
      Math.max(0, this.expiresAt - performance.now()),
    );
    this.expiryTimer.unref();
  }

  private markLost(error: LockLostError | Error): void {
    if (this.controller.signal.aborted) return;
    clearTimeout(this.expiryTimer);
    this.expiresAt = performance.now();
    this.deps.metrics.lost();
    this.deps.logger.warn({ key: this.key, reason: error.message }, 'lock lost');
    this.controller.abort(error);
  }

  private lostReason(): Error {
    const reason: unknown = this.controller.signal.reason;
    return reason instanceof Error ? reason : new LockLostError(this.key, 'lock lost');
  }
}
