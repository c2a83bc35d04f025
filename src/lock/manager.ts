import { performance } from 'node:perf_hooks';
import type Redis from 'ioredis';
import pino from 'pino';
import type { Logger } from '../logger';
import { Contention } from './contention';
import { LockBusyError, LockError, LockUnavailableError } from './errors';
import type { LockHandle } from './handle';
import { lockKeys, type LockKeys } from './keys';
import { LocalQueue } from './local-queue';
import { noLockMetrics, type LockMetrics, type WaitOutcome } from './metrics';
import { abortReason, Notifier } from './notifier';
import { checkLockOptions, type LockOptions } from './options';
import { defineLockScripts } from './scripts';

/**
 * Per-key distributed locks on Redis with fair (arrival-order) hand-off; see README.md.
 * One manager per process and Redis connection; it registers its Lua scripts on `redis`.
 */
export class LockManager {
  private readonly logger: Logger;
  private readonly metrics: LockMetrics;
  private readonly notifier: Notifier;
  private readonly contention: Contention;
  private readonly local = new LocalQueue();

  /**
   * @param redis a connection from createRedis(): no offline queue, so commands fail at
   *   once while Redis is down (mapped to LockUnavailableError).
   */
  constructor(
    private readonly redis: Redis,
    options: { metrics?: LockMetrics; logger?: Logger } = {},
  ) {
    defineLockScripts(redis);
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.metrics = options.metrics ?? noLockMetrics;
    this.notifier = new Notifier(redis, this.logger);
    const deps = { redis, logger: this.logger, metrics: this.metrics };
    this.contention = new Contention(deps, this.notifier);
  }

  /**
   * Runs `routine` while holding the lock on `key`, renewing it every third of `ttlMs`,
   * and always releases it afterwards (waiting for a renewal in flight first).
   * The routine's signal fires, with a LockLostError as its reason, when a renewal finds
   * the lock lost or the lease lapses unrenewed; the routine should then stop writing.
   *
   * @example
   * const order = await locks.withLock(lockKey('order', id), { ttlMs: 10_000, waitMs: 5000 },
   *   async (signal) => {
   *     const row = await repo.load(id);
   *     signal.throwIfAborted();
   *     return repo.save(next(row));
   *   });
   * @throws the routine's own error if it threw (a release error never hides it);
   *   LockBusyError when the key stayed busy for `waitMs`; LockLostError when the routine
   *   succeeded but the lock was lost meanwhile; LockUnavailableError when Redis cannot
   *   be reached to acquire (a release that cannot reach Redis after a successful
   *   routine is only logged: the lease was valid throughout and lapses by itself); `signal.reason` when the caller aborted the wait; TypeError/RangeError
   *   for bad options or a key without a hash tag.
   */
  async withLock<T>(
    key: string,
    options: LockOptions,
    routine: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const handle = await this.acquire(key, options);
    handle.startWatchdog();
    let result: T;
    try {
      result = await routine(handle.signal);
    } catch (error) {
      await handle.release().catch((releaseError: unknown) => {
        this.logger.warn({ err: releaseError, key }, 'lock release after a failure failed');
      });
      throw error;
    }
    try {
      await handle.release();
    } catch (error) {
      // The lease was still valid when the routine finished, so its result stands; the
      // key lapses by itself within ttlMs.
      if (!(error instanceof LockUnavailableError)) throw error;
      this.logger.warn({ err: error, key }, 'lock release could not reach Redis');
    }
    return result;
  }

  /**
   * Acquires the lock on `key` (build it with lockKey()) and returns its handle; the
   * caller must release() it and extend() it for holds near `ttlMs`. Waits up to
   * `waitMs` ms, woken by the release before its turn, served in arrival order.
   * @throws LockBusyError when the key stayed busy for `waitMs`; LockUnavailableError
   *   when Redis cannot be reached or the manager is closed; `signal.reason` (an
   *   AbortError by default) when the caller aborts; TypeError/RangeError for bad input.
   */
  async acquire(key: string, options: LockOptions): Promise<LockHandle> {
    checkLockOptions(options);
    const keys = lockKeys(key);
    if (options.signal?.aborted) throw abortReason(options.signal);
    if (this.contention.closed) throw new LockUnavailableError(key, 'the lock manager is closed');
    const started = performance.now();
    try {
      const handle = await this.queueLocally(keys, options, started + options.waitMs);
      this.metrics.waited(performance.now() - started, 'acquired');
      return handle;
    } catch (error) {
      this.metrics.waited(performance.now() - started, outcomeOf(error));
      throw error;
    }
  }

  /** Closes the manager's own subscriber connection (not the `redis` passed in). */
  async close(): Promise<void> {
    this.contention.closed = true;
    await this.notifier.close();
  }

  private async queueLocally(keys: LockKeys, options: LockOptions, deadline: number) {
    try {
      // A single try does not wait, so it does not queue either.
      if (options.waitMs === 0)
        return await this.contention.acquire(keys, options, deadline, false);
      const timeout = (): Error =>
        new LockBusyError(keys.lock, this.contention.holderRemainingMs(keys.lock));
      const turn = await this.local.enter(keys.lock, options.waitMs, options.signal, timeout);
      if (turn.queued) this.metrics.contended();
      try {
        return await this.contention.acquire(keys, options, deadline, turn.queued);
      } finally {
        turn.exit();
      }
    } finally {
      if (this.local.size(keys.lock) === 0) this.contention.forgetHolder(keys.lock);
    }
  }
}

function outcomeOf(error: unknown): WaitOutcome {
  if (error instanceof LockBusyError) return 'busy';
  if (error instanceof LockError) return 'unavailable';
  return 'aborted';
}
