import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { RedisClient } from './client';
import { silentLogger, type LockLogger as Logger } from './logger';
import { abortReason } from './abort';
import { Contention } from './contention';
import { settleWithin } from './deadline';
import { LockBusyError, LockError, LockLostError, LockUnavailableError } from './errors';
import type { LockHandle } from './handle';
import { lockKeys, type LockKeys } from './keys';
import { LocalQueue } from './local-queue';
import { noLockMetrics, type LockMetrics, type WaitOutcome } from './metrics';
import { Notifier } from './notifier';
import { checkDuration, checkLockOptions, type LockOptions } from './options';
import { defineLockScripts } from './scripts';

/** Default deadline of one Redis round trip of the lock, in ms. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 1000;
/**
 * How long withLock lets the release delay the routine's result. A healthy release takes
 * well under a millisecond; past this the result is answered and the release runs on
 * (a lock it cannot delete lapses with its lease).
 */
const RELEASE_WAIT_MS = 100;

/** Options of a {@link LockManager}. */
export interface LockManagerOptions {
  metrics?: LockMetrics;
  logger?: Logger;
  /**
   * Deadline of one Redis round trip, ms (default 1000): a call unanswered by then
   * (stalled server, half-open socket) counts as Redis being unavailable.
   */
  commandTimeoutMs?: number;
}

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
  private readonly closing = new AbortController();

  /**
   * @param redis a connection from createRedis(): no offline queue, so commands fail at
   *   once while Redis is down (mapped to LockUnavailableError).
   */
  constructor(
    private readonly redis: RedisClient,
    options: LockManagerOptions = {},
  ) {
    defineLockScripts(redis);
    // Every call in flight listens to this signal: as many as there are callers at once.
    setMaxListeners(0, this.closing.signal);
    this.logger = options.logger ?? silentLogger;
    this.metrics = options.metrics ?? noLockMetrics;
    const commandTimeoutMs = checkDuration(
      'commandTimeoutMs',
      options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      1,
    );
    this.notifier = new Notifier(redis, this.logger, commandTimeoutMs);
    const deps = { redis, logger: this.logger, metrics: this.metrics, commandTimeoutMs };
    this.contention = new Contention(deps, this.notifier, this.closing.signal);
  }

  /**
   * Runs `routine` while holding the lock on `key`, renewing it every third of `ttlMs`,
   * and releases it afterwards (waiting for a renewal in flight first).
   * The routine's signal fires, with a LockLostError as its reason, when a renewal finds
   * the lock lost or the lease lapses unrenewed: the routine must then stop writing (a
   * fencing check such as a version column is what makes a late write harmless).
   * withLock answers with what the routine answered: whatever happens to the lock after
   * the routine settled (lost, Redis away, an error reply, a release slower than 100 ms)
   * is logged, never thrown, so a caller never mistakes a committed effect for a failure.
   *
   * @example
   * const order = await locks.withLock(lockKey('order', id), { ttlMs: 10_000, waitMs: 5000 },
   *   async (signal) => {
   *     const row = await repo.load(id);
   *     signal.throwIfAborted();
   *     return repo.save(next(row));
   *   });
   * @throws the routine's own error if it threw; LockBusyError when the key stayed busy
   *   for `waitMs`; LockUnavailableError when Redis cannot be reached (or does not answer
   *   within the command deadline) to acquire; `signal.reason` when the caller aborted
   *   the wait; TypeError/RangeError for bad options or a key without a hash tag.
   */
  async withLock<T>(
    key: string,
    options: LockOptions,
    routine: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const handle = await this.acquire(key, options);
    handle.startWatchdog();
    try {
      return await routine(handle.signal);
    } finally {
      const releasing = handle.release().catch((error: unknown) => {
        const message =
          error instanceof LockLostError ? 'lock was lost before release' : 'lock release failed';
        this.logger.warn({ err: error, key }, message);
      });
      await settleWithin(releasing, RELEASE_WAIT_MS);
    }
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
    if (this.closing.signal.aborted) throw abortReason(this.closing.signal);
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

  /**
   * Ends every wait in progress (with LockUnavailableError, also a call in flight) and
   * closes the manager's own subscriber connection (not the `redis` passed in).
   */
  async close(): Promise<void> {
    if (!this.closing.signal.aborted) {
      this.closing.abort(new LockUnavailableError('*', 'the lock manager is closed'));
    }
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
