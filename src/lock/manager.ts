import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type Redis from 'ioredis';
import pino from 'pino';
import type { Logger } from '../logger';
import {
  errorForStatus,
  LockBusyError,
  LockError,
  LockStatus,
  LockUnavailableError,
  toLockError,
} from './errors';
import { LockHandle, type HandleDeps } from './handle';
import { lockKeys, type LockKeys } from './keys';
import { LocalQueue } from './local-queue';
import { noLockMetrics, type LockMetrics, type WaitOutcome } from './metrics';
import { abortReason, Notifier } from './notifier';
import { checkLockOptions, type LockOptions } from './options';
import { defineLockScripts, scriptKeys, type AcquireReply } from './scripts';

/**
 * How late after its wake time a queued waiter may come back before others may drop it
 * from the Redis queue: covers a round trip plus an event-loop stall of up to ~1 s.
 */
const GRACE_MS = 1000;
/** Sleep this much past the holder's PTTL so that Redis has surely expired the key. */
const WAKE_SLACK_MS = 2;

/**
 * Per-key distributed locks on Redis with fair (arrival-order) hand-off; see README.md.
 * One manager per process and Redis connection; it registers its Lua scripts on `redis`.
 */
export class LockManager {
  private readonly deps: HandleDeps;
  private readonly notifier: Notifier;
  private readonly local = new LocalQueue();
  /** Last known end of another holder's lease per key (monotonic ms), for local timeouts. */
  private readonly holderEnds = new Map<string, number>();
  private closed = false;

  /**
   * @param redis a connection from createRedis(): no offline queue, so commands fail at
   *   once while Redis is down (mapped to LockUnavailableError).
   */
  constructor(
    private readonly redis: Redis,
    options: { metrics?: LockMetrics; logger?: Logger } = {},
  ) {
    defineLockScripts(redis);
    const logger = options.logger ?? pino({ level: 'silent' });
    this.deps = { redis, logger, metrics: options.metrics ?? noLockMetrics };
    this.notifier = new Notifier(redis, logger);
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
   *   be reached; `signal.reason` when the caller aborted the wait; TypeError/RangeError
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
        this.deps.logger.warn({ err: releaseError, key }, 'lock release after a failure failed');
      });
      throw error;
    }
    await handle.release();
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
    options.signal?.throwIfAborted();
    if (this.closed) throw new LockUnavailableError(key, 'the lock manager is closed');
    const started = performance.now();
    try {
      const handle = await this.queueLocally(keys, options, started + options.waitMs);
      this.deps.metrics.waited(performance.now() - started, 'acquired');
      return handle;
    } catch (error) {
      this.deps.metrics.waited(performance.now() - started, outcomeOf(error));
      throw error;
    }
  }

  /** Closes the manager's own subscriber connection (not the `redis` passed in). */
  async close(): Promise<void> {
    this.closed = true;
    await this.notifier.close();
  }

  private async queueLocally(keys: LockKeys, options: LockOptions, deadline: number) {
    // A single try does not wait, so it does not queue either.
    if (options.waitMs === 0) return this.contend(keys, options, deadline, false);
    const timeout = (): Error => new LockBusyError(keys.lock, this.holderRemainingMs(keys.lock));
    const turn = await this.local.enter(keys.lock, options.waitMs, options.signal, timeout);
    if (turn.queued) this.deps.metrics.contended();
    try {
      return await this.contend(keys, options, deadline, turn.queued);
    } finally {
      turn.exit();
      if (this.local.size(keys.lock) === 0) this.holderEnds.delete(keys.lock);
    }
  }

  /** Tries, queues in Redis and sleeps until a release names this token or a timer fires. */
  private async contend(keys: LockKeys, options: LockOptions, deadline: number, counted: boolean) {
    const token = randomBytes(16).toString('hex');
    this.notifier.register(token);
    let subscribed = false;
    try {
      for (;;) {
        if (this.closed) throw new LockUnavailableError(keys.lock, 'the lock manager is closed');
        const waitLeftMs = Math.floor(deadline - performance.now());
        const sentAt = performance.now();
        const [status, remainingMs, wakeMs] = await this.attempt(keys, token, options, waitLeftMs);
        if (status === LockStatus.Ok) return await this.grant(keys, token, options, sentAt);
        this.holderEnds.set(keys.lock, performance.now() + remainingMs);
        if (options.signal?.aborted) {
          await this.leave(keys, token);
          throw abortReason(options.signal);
        }
        if (waitLeftMs <= 0) throw errorForStatus(status, keys.lock, remainingMs);
        if (!counted) this.deps.metrics.contended();
        counted = true;
        if (!subscribed) {
          // Retry right after subscribing: a release in between published to nobody.
          await this.subscribe(keys, token);
          subscribed = true;
          continue;
        }
        await this.sleep(keys, token, Math.min(wakeMs + WAKE_SLACK_MS, waitLeftMs), options);
      }
    } finally {
      this.notifier.forget(token);
      if (subscribed) this.notifier.unsubscribe(keys.channel);
    }
  }

  private async attempt(
    keys: LockKeys,
    token: string,
    options: LockOptions,
    waitLeftMs: number,
  ): Promise<AcquireReply> {
    const mode = waitLeftMs > 0 ? 'wait' : 'try';
    const [lock, queue, deadlines] = scriptKeys(keys);
    const waitLeft = Math.max(0, waitLeftMs);
    try {
      const { ttlMs } = options;
      const { channel } = keys;
      return await this.redis.lockAcquire(
        lock,
        queue,
        deadlines,
        token,
        ttlMs,
        mode,
        waitLeft,
        GRACE_MS,
        channel,
      );
    } catch (error) {
      throw toLockError(error, keys.lock);
    }
  }

  /** Hands out the lock unless its lease (counted from before the call) already lapsed. */
  private async grant(keys: LockKeys, token: string, options: LockOptions, sentAt: number) {
    const handle = new LockHandle(this.deps, keys, token, options.ttlMs, sentAt);
    if (handle.remainingMs() > 0 && options.signal?.aborted !== true) return handle;
    await handle.release().catch(() => undefined);
    options.signal?.throwIfAborted();
    throw new LockUnavailableError(
      keys.lock,
      `lock ${keys.lock} was granted after its ${options.ttlMs} ms lease had passed`,
    );
  }

  private async subscribe(keys: LockKeys, token: string): Promise<void> {
    try {
      await this.notifier.subscribe(keys.channel);
    } catch (error) {
      await this.leave(keys, token);
      throw toLockError(error, keys.lock);
    }
  }

  private async sleep(keys: LockKeys, token: string, ms: number, options: LockOptions) {
    try {
      await this.notifier.wait(token, ms, options.signal);
    } catch (error) {
      await this.leave(keys, token);
      throw error;
    }
  }

  /** Removes this token's queue entry (best effort: else it goes stale in time). */
  private async leave(keys: LockKeys, token: string): Promise<void> {
    try {
      await this.redis.lockLeave(...scriptKeys(keys), token, keys.channel);
    } catch (leaveError) {
      this.deps.logger.debug({ err: leaveError, key: keys.lock }, 'lock leave failed');
    }
  }

  private holderRemainingMs(key: string): number {
    const end = this.holderEnds.get(key);
    return end === undefined ? 0 : Math.max(0, Math.round(end - performance.now()));
  }
}

function outcomeOf(error: unknown): WaitOutcome {
  if (error instanceof LockBusyError) return 'busy';
  if (error instanceof LockError) return 'unavailable';
  return 'aborted';
}
