import { performance } from 'node:perf_hooks';
import { isCluster, type RedisClient } from './client';
import type { LockLogger as Logger } from './logger';
import { abortReason } from './abort';
import { RedisDeadlineError, withDeadline } from './deadline';

/** Why a wait ended: the lock was handed over, a hint to retry, or the timer. */
export type WakeReason = 'granted' | 'woken' | 'timeout';

interface Waiter {
  wake: (reason: WakeReason) => void;
}

/** One channel: its local users, and since when (monotonic ms) Redis surely delivers to us. */
interface Channel {
  uses: number;
  liveSince: number | undefined;
  /** The pending SUNSUBSCRIBE of a channel nobody uses (see LINGER_MS). */
  linger: NodeJS.Timeout | undefined;
}

/**
 * While some channel is subscribed, the subscriber connection is PINGed this often; a
 * PING or SSUBSCRIBE unanswered within the command deadline marks the socket half-open
 * (a firewall dropped the flow without a reset) and the connection is replaced, so a dead
 * socket costs a waiter at most about KEEPALIVE_MS + the deadline, never TCP's minutes.
 */
const KEEPALIVE_MS = 1000;
/**
 * A channel stays subscribed this long after its last local user: a hot key's next
 * waiter then needs no SSUBSCRIBE, and no retry after it (a release cannot slip between
 * its queued attempt and a subscription that was live before the attempt was sent).
 */
const LINGER_MS = 2000;
/** Message prefix of a hand-off: the named token holds the lock now. */
const GRANT_PREFIX = 'g:';

/**
 * Wakes waiters when a release names them. One subscriber connection per manager,
 * created on the first contended acquisition (the uncontended path sends no SSUBSCRIBE
 * and opens no connection); a channel is subscribed only while a local waiter needs it.
 * A message names the waiter whose turn it is: `g:<token>` when the release handed it the
 * lock (it holds the lock now), a bare token when it should retry its acquire.
 *
 * Wake-ups are hints: a waiter also retries when its own timer (the holder's lease)
 * fires. After the connection is re-established every waiter is woken once, because a
 * release may have been published while nobody here was listening.
 */
export class Notifier {
  private subscriber: RedisClient | undefined;
  private readonly channels = new Map<string, Channel>();
  private readonly waiters = new Map<string, Waiter>();
  /** Tokens of this manager's contenders; messages for any other token are ignored. */
  private readonly mine = new Set<string>();
  /** Tokens named while their owner was between two calls; consumed by the next wait(). */
  private readonly early = new Map<string, WakeReason>();
  private keepAlive: NodeJS.Timeout | undefined;
  private pinging = false;
  private closed = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly logger: Logger,
    private readonly commandTimeoutMs: number,
  ) {}

  /**
   * Subscribes to `channel` (counted: one SSUBSCRIBE for many local waiters). An SSUBSCRIBE
   * unanswered within `deadlineMs` replaces the connection and counts as subscribed:
   * the new connection subscribes again, and the waiter's timer covers the gap.
   * @throws the connection's error when Redis cannot be reached; the abort reason when
   *   one of `signals` fires first.
   */
  async subscribe(
    channel: string,
    deadlineMs: number,
    ...signals: (AbortSignal | undefined)[]
  ): Promise<void> {
    const known = this.channels.get(channel);
    if (known !== undefined) {
      known.uses += 1;
      clearTimeout(known.linger);
      known.linger = undefined;
      return;
    }
    const entry: Channel = { uses: 1, liveSince: undefined, linger: undefined };
    this.channels.set(channel, entry);
    try {
      const call = this.connection().ssubscribe(channel);
      await withDeadline(call, deadlineMs, 'SSUBSCRIBE', ...signals);
      if (this.channels.get(channel) === entry) entry.liveSince ??= performance.now();
    } catch (error) {
      if (error instanceof RedisDeadlineError) return this.replace('SSUBSCRIBE went unanswered');
      this.drop(channel);
      throw error;
    }
  }

  /**
   * When (monotonic ms) `channel`'s subscription was confirmed on the current connection,
   * or undefined when it is not (yet, or any more). A release published after a call sent
   * at or after that time reaches this manager (or the connection drops, and every
   * waiter is woken).
   */
  liveSince(channel: string): number | undefined {
    return this.channels.get(channel)?.liveSince;
  }

  /** Drops one use of `channel`; the last one unsubscribes LINGER_MS later (errors only logged). */
  unsubscribe(channel: string): void {
    const entry = this.channels.get(channel);
    if (entry === undefined) return;
    entry.uses -= 1;
    if (entry.uses > 0) return;
    entry.uses = 0;
    if (entry.liveSince === undefined || this.closed) return this.drop(channel);
    entry.linger = setTimeout(() => this.drop(channel), LINGER_MS);
    entry.linger.unref();
  }

  private drop(channel: string): void {
    const entry = this.channels.get(channel);
    if (entry === undefined) return;
    clearTimeout(entry.linger);
    this.channels.delete(channel);
    // A failure here (Redis away) leaves no trace: after a reconnect only the channels
    // still used are subscribed again (autoResubscribe is off).
    this.subscriber?.sunsubscribe(channel).catch((error: unknown) => {
      this.logger.debug({ err: error, channel }, 'lock unsubscribe failed');
    });
  }

  /**
   * Resolves when a release names `token` ('granted' when it handed the lock over,
   * 'woken' for a retry), after `timeoutMs` (the fallback for a holder that died without
   * releasing, or a lost message), at once when the notifier is closed, or rejects with
   * `signal.reason` when it aborts.
   */
  wait(token: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<WakeReason> {
    const early = this.early.get(token);
    if (early !== undefined) {
      this.early.delete(token);
      return Promise.resolve(early);
    }
    if (this.closed) return Promise.resolve('woken');
    return new Promise<WakeReason>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.waiters.delete(token);
      };
      const onAbort = (): void => {
        done();
        reject(abortReason(signal));
      };
      const timer = setTimeout(() => {
        done();
        resolve('timeout');
      }, timeoutMs);
      this.waiters.set(token, {
        wake: (reason) => {
          done();
          resolve(reason);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Starts accepting wake-ups for `token` (before its first queued call). */
  register(token: string): void {
    this.mine.add(token);
  }

  /** Forgets a token whose owner stopped contending. */
  forget(token: string): void {
    this.mine.delete(token);
    this.early.delete(token);
  }

  /** Wakes every waiter and closes the subscriber connection, if one was opened. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.keepAlive);
    for (const entry of this.channels.values()) clearTimeout(entry.linger);
    this.wakeAll();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber === undefined) return;
    await withDeadline(subscriber.quit(), this.commandTimeoutMs, 'QUIT').catch(() => undefined);
    subscriber.disconnect();
  }

  /** Every local contender retries now (its wake-up may have been lost). */
  private wakeAll(): void {
    for (const token of this.mine)
      if (!this.waiters.has(token) && !this.early.has(token)) this.early.set(token, 'woken');
    for (const waiter of [...this.waiters.values()]) waiter.wake('woken');
  }

  /** The connection is gone: no subscription is known to deliver until confirmed again. */
  private notLive(): void {
    for (const entry of this.channels.values()) entry.liveSince = undefined;
  }

  /** Drops a socket that stopped answering; ioredis connects anew and 'ready' follows. */
  private replace(why: string): void {
    this.logger.warn({ why }, 'lock subscriber connection replaced');
    this.notLive();
    this.subscriber?.disconnect(true);
  }

  private ping(): void {
    const subscriber = this.subscriber;
    if (this.pinging || this.channels.size === 0 || subscriber?.status !== 'ready') return;
    this.pinging = true;
    withDeadline(subscriber.ping(), this.commandTimeoutMs, 'PING')
      .catch((error: unknown) => {
        if (error instanceof RedisDeadlineError) this.replace('PING went unanswered');
      })
      .finally(() => {
        this.pinging = false;
      });
  }

  /**
   * After a reconnect: subscribe what is still used (lingering channels are dropped),
   * then let every waiter retry.
   */
  private resubscribe(subscriber: RedisClient): void {
    for (const [channel, entry] of [...this.channels])
      if (entry.uses === 0) {
        clearTimeout(entry.linger);
        this.channels.delete(channel);
      }
    const wanted = [...this.channels.keys()];
    if (wanted.length > 0) {
      // One SSUBSCRIBE per channel: on a cluster, channels of different slots live on
      // different nodes, and one command may name channels of one slot only.
      const calls = Promise.all(wanted.map((channel) => subscriber.ssubscribe(channel)));
      withDeadline(calls, this.commandTimeoutMs, 'SSUBSCRIBE').then(
        () => {
          const now = performance.now();
          for (const channel of wanted) {
            const entry = this.channels.get(channel);
            if (entry !== undefined) entry.liveSince ??= now;
          }
        },
        (error: unknown) => {
          if (error instanceof RedisDeadlineError) this.replace('re-SSUBSCRIBE went unanswered');
        },
      );
    }
    this.wakeAll();
  }

  /**
   * The subscriber connection(s). On one server, one connection. On a cluster, a Cluster
   * client with sharded subscribers: one connection per primary, each SSUBSCRIBE sent
   * to the node that owns the channel's slot, and ioredis subscribes again on the new
   * owner after a failover or a slot move.
   */
  private duplicate(): RedisClient {
    // The offline queue holds the first SSUBSCRIBEs until this new connection is up;
    // maxRetriesPerRequest (1, inherited) still fails them fast while Redis is down.
    // No ready check: its INFO would be sent after a queued SSUBSCRIBE had put the
    // connection in subscriber mode, fail there, and take the SSUBSCRIBEs down with it.
    // No auto-resubscribe: ioredis would also restore channels whose SUNSUBSCRIBE failed
    // during the outage; resubscribe() restores exactly the ones still wanted.
    // No connection-wide command timeout either: SSUBSCRIBE, PING and QUIT carry deadlines
    // of their own here, and a missed one replaces the socket instead of failing a waiter.
    const options = {
      enableOfflineQueue: true,
      enableReadyCheck: false,
      autoResubscribe: false,
      commandTimeout: undefined,
    };
    if (!isCluster(this.redis)) return this.redis.duplicate(options);
    return this.redis.duplicate([], {
      enableOfflineQueue: true,
      shardedSubscribers: true,
      redisOptions: { ...this.redis.options.redisOptions, ...options },
    });
  }

  private connection(): RedisClient {
    if (this.subscriber !== undefined) return this.subscriber;
    if (this.closed) throw new Error('the lock manager is closed');
    const subscriber = this.duplicate();
    let connectedBefore = false;
    subscriber.on('ready', () => {
      if (connectedBefore) this.resubscribe(subscriber);
      connectedBefore = true;
    });
    subscriber.on('error', (error: unknown) => {
      this.logger.debug({ err: error }, 'lock subscriber connection error');
    });
    subscriber.on('close', () => this.notLive());
    if (isCluster(subscriber)) {
      // A node's subscriber connection ended (the node failed, or lost its slots): until
      // ioredis has subscribed again on the slots' new owners, nothing is known to
      // deliver, and what was published meanwhile is lost; every waiter retries then.
      subscriber.on('-node', () => this.notLive());
      subscriber.on('subscribersReady', () => this.wakeAll());
    }
    subscriber.on('smessage', (channel: string, message: string) => {
      if (!this.channels.has(channel)) return;
      const granted = message.startsWith(GRANT_PREFIX);
      const token = granted ? message.slice(GRANT_PREFIX.length) : message;
      const reason: WakeReason = granted ? 'granted' : 'woken';
      const waiter = this.waiters.get(token);
      if (waiter !== undefined) waiter.wake(reason);
      else if (this.mine.has(token) && this.early.get(token) !== 'granted')
        this.early.set(token, reason);
    });
    // On a cluster, PING would go to any node, not down the subscriber sockets: there a
    // dead node is noticed by the cluster's own failure detection (and '-node' above).
    if (!isCluster(subscriber)) {
      this.keepAlive = setInterval(() => this.ping(), KEEPALIVE_MS);
      this.keepAlive.unref();
    }
    this.subscriber = subscriber;
    return subscriber;
  }
}
