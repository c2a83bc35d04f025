import Redis from 'ioredis';
import type { RedisClient } from '@order-coordinator/lock';

/** Commands that only a client sends: never run from inside a Lua script. */
const CLIENT_ONLY = new Set([
  'eval',
  'evalsha',
  'eval_ro',
  'evalsha_ro',
  'subscribe',
  'unsubscribe',
  'psubscribe',
  'punsubscribe',
  'multi',
  'exec',
]);

/**
 * The server's view: `roundTrips` are calls only a client can make (EVALSHA, SUBSCRIBE...);
 * INFO counts the commands a script runs too, so the rest is reported as `inScripts`.
 */
export function splitDelta(delta: Map<string, number>) {
  let roundTrips = 0;
  let inScripts = 0;
  for (const [name, calls] of delta) {
    if (CLIENT_ONLY.has(name)) roundTrips += calls;
    else if (name !== 'info' && !name.startsWith('client')) inScripts += calls;
  }
  return { roundTrips, inScripts, byCommand: Object.fromEntries(delta) };
}

/**
 * Counts, in this process, every command any ioredis connection sends (all of them go
 * through Redis.prototype.sendCommand), except on the INFO connection. Exact and immune
 * to other clients of the same Redis, unlike INFO; both are reported.
 */
export class ClientCommandCounter {
  private counts = new Map<string, number>();
  private readonly ignored = new WeakSet<RedisClient>();
  private original: Redis['sendCommand'] | undefined;

  install(): void {
    if (this.original !== undefined) return;
    // Called back with apply(this, ...) below, so the method keeps its connection.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const original = Redis.prototype.sendCommand;
    this.original = original;
    const counts = (): Map<string, number> => this.counts;
    const ignored = this.ignored;
    Redis.prototype.sendCommand = function (
      this: Redis,
      ...args: Parameters<Redis['sendCommand']>
    ) {
      if (!ignored.has(this)) {
        const name = args[0].name.toLowerCase();
        counts().set(name, (counts().get(name) ?? 0) + 1);
      }
      return original.apply(this, args);
    };
  }

  uninstall(): void {
    if (this.original !== undefined) Redis.prototype.sendCommand = this.original;
    this.original = undefined;
  }

  ignore(redis: RedisClient): void {
    this.ignored.add(redis);
  }

  /** The counts since the last take, and starts counting afresh. */
  take(): Map<string, number> {
    const taken = this.counts;
    this.counts = new Map();
    return taken;
  }
}

export function total(counts: Map<string, number>): number {
  let sum = 0;
  for (const calls of counts.values()) sum += calls;
  return sum;
}
