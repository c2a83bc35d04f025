import type Redis from 'ioredis';
import type { Logger } from '../logger';
import { abortReason } from './abort';
import { RedisDeadlineError, withDeadline } from './deadline';

interface Waiter {
  wake: () => void;
}

/**
 * While some channel is subscribed, the subscriber connection is PINGed this often; a
 * PING or SUBSCRIBE unanswered within the command deadline marks the socket half-open
 * (a firewall dropped the flow without a reset) and the connection is replaced, so a dead
 * socket costs a waiter at most about KEEPALIVE_MS + the deadline, never TCP's minutes.
 */
const KEEPALIVE_MS = 1000;

/**
 * Wakes waiters when a release names them. One subscriber connection per manager,
 * created on the first contended acquisition (the uncontended path sends no SUBSCRIBE
 * and opens no connection); a channel is subscribed only while a local waiter needs it.
 * A message is the token of the waiter whose turn it is, so only that one retries.
 *
 * Wake-ups are hints: a waiter also retries when its own timer (the holder's lease)
 * fires. After the connection is re-established every waiter is woken once, because a
 * release may have been published while nobody here was listening.
 */
export class Notifier {
  private subscriber: Redis | undefined;
  private readonly channels = new Map<string, number>();
  private readonly waiters = new Map<string, Waiter>();
  /** Tokens of this manager's contenders; messages for any other token are ignored. */
  private readonly mine = new Set<string>();
  /** Tokens named while their owner was between two calls; consumed by the next wait(). */
  private readonly early = new Set<string>();
  private keepAlive: NodeJS.Timeout | undefined;
  private pinging = false;
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
    private readonly commandTimeoutMs: number,
  ) {}

  /**
   * Subscribes to `channel` (counted: one SUBSCRIBE for many local waiters). A SUBSCRIBE
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
    const count = this.channels.get(channel) ?? 0;
    this.channels.set(channel, count + 1);
    if (count > 0) return;
    try {
      const call = this.connection().subscribe(channel);
      await withDeadline(call, deadlineMs, 'SUBSCRIBE', ...signals);
    } catch (error) {
      if (error instanceof RedisDeadlineError) return this.replace('SUBSCRIBE went unanswered');
      this.unsubscribe(channel);
      throw error;
    }
  }

  /** Drops one use of `channel`; the last one unsubscribes (errors only logged). */
  unsubscribe(channel: string): void {
    const count = (this.channels.get(channel) ?? 1) - 1;
    if (count > 0) {
      this.channels.set(channel, count);
      return;
    }
    this.channels.delete(channel);
    // A failure here (Redis away) leaves no trace: after a reconnect only the channels
    // still counted are subscribed again (autoResubscribe is off).
    this.subscriber?.unsubscribe(channel).catch((error: unknown) => {
      this.logger.debug({ err: error, channel }, 'lock unsubscribe failed');
    });
  }

  /**
   * Resolves when a release names `token`, after `timeoutMs` (the fallback for a holder
   * that died without releasing), at once when the notifier is closed, or rejects with
   * `signal.reason` when it aborts.
   */
  wait(token: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.early.delete(token) || this.closed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
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
        resolve();
      }, timeoutMs);
      this.waiters.set(token, {
        wake: () => {
          done();
          resolve();
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
    this.wakeAll();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber === undefined) return;
    await withDeadline(subscriber.quit(), this.commandTimeoutMs, 'QUIT').catch(() => undefined);
    subscriber.disconnect();
  }

  /** Every local contender retries now (its wake-up may have been lost). */
  private wakeAll(): void {
    for (const token of this.mine) if (!this.waiters.has(token)) this.early.add(token);
    for (const waiter of [...this.waiters.values()]) waiter.wake();
  }

  /** Drops a socket that stopped answering; ioredis connects anew and 'ready' follows. */
  private replace(why: string): void {
    this.logger.warn({ why }, 'lock subscriber connection replaced');
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

  /** After a reconnect: subscribe what is still wanted, then let every waiter retry. */
  private resubscribe(subscriber: Redis): void {
    const wanted = [...this.channels.keys()];
    if (wanted.length > 0) {
      withDeadline(subscriber.subscribe(...wanted), this.commandTimeoutMs, 'SUBSCRIBE').catch(
        (error: unknown) => {
          if (error instanceof RedisDeadlineError) this.replace('re-SUBSCRIBE went unanswered');
        },
      );
    }
    this.wakeAll();
  }

  private connection(): Redis {
    if (this.subscriber !== undefined) return this.subscriber;
    if (this.closed) throw new Error('the lock manager is closed');
    // The offline queue holds the first SUBSCRIBEs until this new connection is up;
    // maxRetriesPerRequest (1, inherited) still fails them fast while Redis is down.
    // No ready check: its INFO would be sent after a queued SUBSCRIBE had put the
    // connection in subscriber mode, fail there, and take the SUBSCRIBEs down with it.
    // No auto-resubscribe: ioredis would also restore channels whose UNSUBSCRIBE failed
    // during the outage; resubscribe() restores exactly the ones still wanted.
    // No connection-wide command timeout either: SUBSCRIBE, PING and QUIT carry deadlines
    // of their own here, and a missed one replaces the socket instead of failing a waiter.
    const subscriber = this.redis.duplicate({
      enableOfflineQueue: true,
      enableReadyCheck: false,
      autoResubscribe: false,
      commandTimeout: undefined,
    });
    let connectedBefore = false;
    subscriber.on('ready', () => {
      if (connectedBefore) this.resubscribe(subscriber);
      connectedBefore = true;
    });
    subscriber.on('error', (error: unknown) => {
      this.logger.debug({ err: error }, 'lock subscriber connection error');
    });
    subscriber.on('message', (channel: string, token: string) => {
      if (!this.channels.has(channel)) return;
      const waiter = this.waiters.get(token);
      if (waiter !== undefined) waiter.wake();
      else if (this.mine.has(token)) this.early.add(token);
    });
    this.keepAlive = setInterval(() => this.ping(), KEEPALIVE_MS);
    this.keepAlive.unref();
    this.subscriber = subscriber;
    return subscriber;
  }
}
