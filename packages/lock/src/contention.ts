import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { abortReason } from './abort';
import { settleWithin, withDeadline } from './deadline';
import { errorForStatus, LockStatus, LockUnavailableError, toLockError } from './errors';
import { LockHandle, type HandleDeps } from './handle';
import type { LockKeys } from './keys';
import type { Notifier, WakeReason } from './notifier';
import { driftMs, type LockOptions } from './options';
import { GRACE_MS, scriptKeys, type AcquireReply } from './scripts';

/** Sleep this much past the holder's PTTL so that Redis has surely expired the key. */
const WAKE_SLACK_MS = 2;
/**
 * How long past its wait a call may take to answer. An acquire script does not block in
 * Redis, so a slower answer means a stalled server or socket: `waitMs` is honoured
 * within this margin whatever Redis does.
 */
const ANSWER_GRACE_MS = 200;
/** How long a waiter that gives up lets its `leave` delay its answer (the rest runs on). */
const LEAVE_WAIT_MS = 100;
/**
 * A handed-over lease that this process can prove for less than this (see grant()) is
 * extended before use.
 */
const MIN_HANDOFF_LEASE_MS = 50;

/**
 * The Redis side of one acquisition: try, join the key's queue, sleep until a release
 * names this token (or the holder's lease ends), try again; leave no entry behind.
 */
export class Contention {
  /** Last known end of another holder's lease per key (monotonic ms), for local timeouts. */
  private readonly holderEnds = new Map<string, number>();
  /** 16 random bytes per manager (hex): tokens of two managers never collide. */
  private readonly tokenPrefix = `${randomBytes(16).toString('hex')}.`;
  private issued = 0;

  /**
   * @param closing aborts (reason: a LockUnavailableError) when the manager closes; every
   *   call in flight and every wait then ends at once.
   */
  constructor(
    private readonly deps: HandleDeps,
    private readonly notifier: Notifier,
    private readonly closing: AbortSignal,
  ) {}

  /** The other holder's remaining lease as last seen, in ms (0 if unknown). */
  holderRemainingMs(key: string): number {
    const end = this.holderEnds.get(key);
    return end === undefined ? 0 : Math.max(0, Math.round(end - performance.now()));
  }

  forgetHolder(key: string): void {
    this.holderEnds.delete(key);
  }

  /**
   * Acquires `keys.lock` by `deadline` (monotonic ms); at or past it, a single try. A
   * queued waiter sleeps until a release hands it the lock (no acquire of its own then),
   * names it for a retry, or its timer fires.
   */
  async acquire(keys: LockKeys, options: LockOptions, deadline: number, counted: boolean) {
    // Unique per acquisition: this manager's random prefix and a counter. The lease rides
    // in the token, so that a release can hand the lock over with it.
    const token = `${this.tokenPrefix}${(this.issued++).toString(36)}:${options.ttlMs}`;
    this.notifier.register(token);
    let subscribed = false;
    try {
      for (;;) {
        if (this.closing.aborted) {
          await this.leave(keys, token);
          throw abortReason(this.closing);
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
          const live = this.notifier.liveSince(keys.channel);
          await this.subscribe(keys, token, this.answerDeadline(waitLeftMs), options);
          subscribed = true;
          // Retry right after a new subscription: a release in between published to
          // nobody. One live since before the attempt was sent hears every release after it.
          if (live === undefined || live > sentAt) continue;
        }
        const woke = await this.sleep(
          keys,
          token,
          Math.min(wakeMs + WAKE_SLACK_MS, waitLeftMs),
          options,
        );
        if (woke === 'granted') {
          // Handed over by a release: leased until the entry's deadline at most (see
          // acquire.lua), both counted from after `sentAt` in Redis.
          const leaseMs = Math.min(options.ttlMs, waitLeftMs, wakeMs + GRACE_MS);
          return await this.grant(keys, token, options, sentAt, leaseMs);
        }
      }
    } finally {
      this.notifier.forget(token);
      if (subscribed) this.notifier.unsubscribe(keys.channel);
    }
  }

  /** How long one call may take: the wait left plus a margin, at most the command deadline. */
  private answerDeadline(waitLeftMs: number): number {
    return Math.min(this.deps.commandTimeoutMs, Math.max(0, waitLeftMs) + ANSWER_GRACE_MS);
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
    const { ttlMs } = options;
    const { channel } = keys;
    const call = this.deps.redis.lockAcquire(
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
    try {
      const ms = this.answerDeadline(waitLeftMs);
      return await withDeadline(call, ms, 'acquire', options.signal, this.closing);
    } catch (error) {
      // The script may still run (or have run) in Redis: undo a grant or a queue entry
      // nobody will use, once its answer comes; without an answer (the connection's own
      // timeout dropped it) undo both, which the token makes harmless. Sent on the same
      // connection, the undo runs after the script whenever Redis gets to it.
      call.then(
        ([status]) => this.undo(keys, token, status),
        () => this.undo(keys, token, undefined),
      );
      throw this.abortedWith(options) ?? toLockError(error, keys.lock);
    }
  }

  /**
   * Gives back what a call that came too late or was aborted got in Redis: the lock if it
   * was granted, the queue entry otherwise, both when the answer is unknown (`undefined`).
   */
  private undo(keys: LockKeys, token: string, status: LockStatus | undefined): void {
    const { redis, logger } = this.deps;
    const failed = (error: unknown) => {
      logger.debug({ err: error, key: keys.lock }, 'lock undo after a late answer failed');
    };
    if (status === undefined || status === LockStatus.Ok) {
      redis.lockRelease(...scriptKeys(keys), token, keys.channel, GRACE_MS).catch(failed);
    }
    if (status !== LockStatus.Ok) {
      redis.lockLeave(...scriptKeys(keys), token, keys.channel, GRACE_MS).catch(failed);
    }
  }

  /**
   * Hands out the lock unless its lease (counted from before the call) already lapsed.
   * A hand-off began in Redis some time after `sentAt`, which is all this process can
   * prove: when that proof leaves less than MIN_HANDOFF_LEASE_MS (a long wait), the
   * lease is first re-anchored by an extend to `ttlMs`.
   */
  private async grant(
    keys: LockKeys,
    token: string,
    options: LockOptions,
    sentAt: number,
    leaseMs = options.ttlMs,
  ) {
    let [anchor, lease] = [sentAt, leaseMs];
    const provenMs = sentAt + leaseMs - driftMs(leaseMs) - performance.now();
    if (provenMs < MIN_HANDOFF_LEASE_MS && options.signal?.aborted !== true) {
      const extendedAt = performance.now();
      const { redis, commandTimeoutMs } = this.deps;
      const call = redis.lockExtend(keys.lock, token, options.ttlMs);
      const status = await withDeadline(call, commandTimeoutMs, 'extend').catch(() => undefined);
      if (status === LockStatus.Ok) [anchor, lease] = [extendedAt, options.ttlMs];
    }
    const handle = new LockHandle(this.deps, keys, token, options.ttlMs, anchor, lease);
    if (handle.remainingMs() > 0 && options.signal?.aborted !== true) return handle;
    await settleWithin(handle.release(), LEAVE_WAIT_MS);
    if (options.signal?.aborted) throw abortReason(options.signal);
    throw new LockUnavailableError(
      keys.lock,
      `lock ${keys.lock} was granted after its ${options.ttlMs} ms lease had passed`,
    );
  }

  private async subscribe(keys: LockKeys, token: string, ms: number, options: LockOptions) {
    try {
      await this.notifier.subscribe(keys.channel, ms, options.signal, this.closing);
    } catch (error) {
      await this.leave(keys, token);
      throw this.abortedWith(options) ?? toLockError(error, keys.lock);
    }
  }

  /** The reason to answer with when the caller aborted or the manager closed. */
  private abortedWith(options: LockOptions): Error | undefined {
    if (options.signal?.aborted) return abortReason(options.signal);
    if (this.closing.aborted) return abortReason(this.closing);
    return undefined;
  }

  private async sleep(
    keys: LockKeys,
    token: string,
    ms: number,
    options: LockOptions,
  ): Promise<WakeReason> {
    try {
      return await this.notifier.wait(token, ms, options.signal);
    } catch (error) {
      await this.leave(keys, token);
      throw error;
    }
  }

  /**
   * Removes this token's queue entry (best effort: else it goes stale in time). Waits at
   * most LEAVE_WAIT_MS for it, so a stalled Redis does not delay the caller's answer.
   */
  private async leave(keys: LockKeys, token: string): Promise<void> {
    const leaving = withDeadline(
      this.deps.redis.lockLeave(...scriptKeys(keys), token, keys.channel, GRACE_MS),
      this.deps.commandTimeoutMs,
      'leave',
    ).catch((leaveError: unknown) => {
      this.deps.logger.debug({ err: leaveError, key: keys.lock }, 'lock leave failed');
    });
    await settleWithin(leaving, LEAVE_WAIT_MS);
  }
}
