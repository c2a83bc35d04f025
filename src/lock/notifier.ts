import type Redis from 'ioredis';
import type { Logger } from '../logger';

interface Waiter {
  wake: () => void;
}

/**
 * Wakes waiters when a release names them. One subscriber connection per manager,
 * created on the first contended acquisition (the uncontended path sends no SUBSCRIBE
 * and opens no connection); a channel is subscribed only while a local waiter needs it.
 * A message is the token of the waiter whose turn it is, so only that one retries.
 */
export class Notifier {
  private subscriber: Redis | undefined;
  private readonly channels = new Map<string, number>();
  private readonly waiters = new Map<string, Waiter>();
  /** Tokens of this manager's contenders; messages for any other token are ignored. */
  private readonly mine = new Set<string>();
  /** Tokens named while their owner was between two calls; consumed by the next wait(). */
  private readonly early = new Set<string>();
  private closed = false;

  constructor(
    private readonly redis: Redis,
    private readonly logger: Logger,
  ) {}

  /**
   * Subscribes to `channel` (counted: one SUBSCRIBE for many local waiters).
   * @throws the connection's error when Redis cannot be reached.
   */
  async subscribe(channel: string): Promise<void> {
    const count = this.channels.get(channel) ?? 0;
    this.channels.set(channel, count + 1);
    if (count > 0) return;
    try {
      await this.connection().subscribe(channel);
    } catch (error) {
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
    this.subscriber?.unsubscribe(channel).catch((error: unknown) => {
      this.logger.debug({ err: error, channel }, 'lock unsubscribe failed');
    });
  }

  /**
   * Resolves when a release names `token`, after `timeoutMs` (the fallback for a holder
   * that died without releasing), or rejects with `signal.reason` when it aborts.
   */
  wait(token: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.early.delete(token)) return Promise.resolve();
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

  /** Closes the subscriber connection, if one was opened. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of [...this.waiters.values()]) waiter.wake();
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    if (subscriber === undefined) return;
    await subscriber.quit().catch(() => subscriber.disconnect());
  }

  private connection(): Redis {
    if (this.subscriber !== undefined) return this.subscriber;
    if (this.closed) throw new Error('the lock manager is closed');
    // The offline queue holds the first SUBSCRIBEs until this new connection is up;
    // maxRetriesPerRequest (1, inherited) still fails them fast while Redis is down.
    // No ready check: its INFO would be sent after a queued SUBSCRIBE had put the
    // connection in subscriber mode, fail there, and take the SUBSCRIBEs down with it.
    const subscriber = this.redis.duplicate({ enableOfflineQueue: true, enableReadyCheck: false });
    subscriber.on('error', (error: unknown) => {
      this.logger.debug({ err: error }, 'lock subscriber connection error');
    });
    subscriber.on('message', (channel: string, token: string) => {
      if (!this.channels.has(channel)) return;
      const waiter = this.waiters.get(token);
      if (waiter !== undefined) waiter.wake();
      else if (this.mine.has(token)) this.early.add(token);
    });
    this.subscriber = subscriber;
    return subscriber;
  }
}

/**
 * The abort reason when it is an Error (by default a DOMException named AbortError);
 * any other value is wrapped in an AbortError, so callers always get an Error.
 */
export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const message = typeof reason === 'string' ? reason : 'The lock wait was aborted';
  return new DOMException(message, 'AbortError');
}
