import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { errorForStatus, LockStatus, LockUnavailableError, toLockError } from './errors';
import { LockHandle, type HandleDeps } from './handle';
import type { LockKeys } from './keys';
import { abortReason, type Notifier } from './notifier';
import type { LockOptions } from './options';
import { scriptKeys, type AcquireReply } from './scripts';

/**
 * How late after its wake time a queued waiter may come back before others may drop it
 * from the Redis queue: covers a round trip plus an event-loop stall of up to ~1 s.
 */
const GRACE_MS = 1000;
/** Sleep this much past the holder's PTTL so that Redis has surely expired the key. */
const WAKE_SLACK_MS = 2;

/**
 * The Redis side of one acquisition: try, join the key's queue, sleep until a release
 * names this token (or the holder's lease ends), try again; leave no entry behind.
 */
export class Contention {
  closed = false;
  /** Last known end of another holder's lease per key (monotonic ms), for local timeouts. */
  private readonly holderEnds = new Map<string, number>();

  constructor(
    private readonly deps: HandleDeps,
    private readonly notifier: Notifier,
  ) {}

  /** The other holder's remaining lease as last seen, in ms (0 if unknown). */
  holderRemainingMs(key: string): number {
    const end = this.holderEnds.get(key);
    return end === undefined ? 0 : Math.max(0, Math.round(end - performance.now()));
  }

  forgetHolder(key: string): void {
    this.holderEnds.delete(key);
  }

  /** Acquires `keys.lock` by `deadline` (monotonic ms); at or past it, a single try. */
  async acquire(keys: LockKeys, options: LockOptions, deadline: number, counted: boolean) {
    const token = randomBytes(16).toString('hex');
    this.notifier.register(token);
    let subscribed = false;
    try {
      for (;;) {
        if (this.closed) {
          await this.leave(keys, token);
          throw new LockUnavailableError(keys.lock, 'the lock manager is closed');
        }
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
      return await this.deps.redis.lockAcquire(
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
    if (options.signal?.aborted) throw abortReason(options.signal);
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
      await this.deps.redis.lockLeave(...scriptKeys(keys), token, keys.channel);
    } catch (leaveError) {
      this.deps.logger.debug({ err: leaveError, key: keys.lock }, 'lock leave failed');
    }
  }
}
