// Tests that count commands or stop Redis run on a private redis-server of their own:
// the shared project Redis is never stopped, flushed or counted.
import { performance } from 'node:perf_hooks';
import type Redis from 'ioredis';
import { LockLostError, LockManager, LockUnavailableError } from '../../src';
import { deferred, readyRedis, rejectionOf, uniqueLockKey } from '../helpers/fixtures';
import { PrivateRedis } from '../../../../harness/procs/redis';
import { commandDelta, commandStats } from '../../../../support/redis-stats';
import { sleep, waitUntil } from '../../../../support/time';

/** Calls per command between two INFO snapshots (INFO itself left out). */
const callsBetween = (before: Map<string, number>, after: Map<string, number>) =>
  Object.fromEntries(commandDelta(before, after));

/** What acquire.lua and release.lua run inside Redis on the uncontended path. */
const SCRIPT_INNER = new Set(['time', 'get', 'set', 'del', 'exists', 'lindex', 'zrangebyscore']);

let server: PrivateRedis;
let redis: Redis;
let admin: Redis;
let locks: LockManager;

beforeEach(async () => {
  server = await PrivateRedis.start();
  redis = await readyRedis(server.url);
  admin = await readyRedis(server.url, 'jest-lock-admin');
  locks = new LockManager(redis);
});

afterEach(async () => {
  await locks.close();
  redis.disconnect();
  admin.disconnect();
  await server.stop();
});

const evals = (delta: Record<string, number>): number => (delta.eval ?? 0) + (delta.evalsha ?? 0);

describe('LockManager on a private Redis', () => {
  it('when nobody else wants the lock, then acquire + release is exactly 2 EVALSHA', async () => {
    const key = uniqueLockKey();
    await (await locks.acquire(key, { ttlMs: 1000, waitMs: 5000 })).release(); // loads scripts
    const before = await commandStats(admin);
    const handle = await locks.acquire(key, { ttlMs: 1000, waitMs: 5000 });
    await handle.release();
    const delta = callsBetween(before, await commandStats(admin));
    expect(delta.evalsha).toBe(2);
    expect(delta.eval).toBeUndefined();
    const clientCommands = Object.keys(delta).filter((name) => !SCRIPT_INNER.has(name));
    expect(clientCommands).toEqual(['evalsha']);
  });

  it('when SCRIPT FLUSH runs before each call, then acquire, extend and release still work', async () => {
    const key = uniqueLockKey();
    await admin.script('FLUSH');
    const handle = await locks.acquire(key, { ttlMs: 1000, waitMs: 0 });
    expect(await admin.get(key)).toBe(handle.token);
    await admin.script('FLUSH');
    await handle.extend(5000);
    expect(await admin.pttl(key)).toBeGreaterThan(4000);
    await admin.script('FLUSH');
    await handle.release();
    expect(await admin.exists(key)).toBe(0);
    await admin.script('FLUSH');
    await locks.withLock(key, { ttlMs: 1000, waitMs: 0 }, async () => {
      expect(await admin.exists(key)).toBe(1);
    });
    expect(await admin.exists(key)).toBe(0);
  });

  it('when the holder never releases, then a waiter gets the lock after its lease without polling', async () => {
    const key = uniqueLockKey();
    const { manager: other, close } = await otherManager();
    const abandoned = await other.acquire(key, { ttlMs: 500, waitMs: 0 });
    const before = await commandStats(admin);
    const asked = performance.now();
    const handle = await locks.acquire(key, { ttlMs: 1000, waitMs: 10_000 });
    const waitedMs = performance.now() - asked;
    const delta = callsBetween(before, await commandStats(admin));
    expect(await admin.get(key)).toBe(handle.token);
    expect(waitedMs).toBeGreaterThanOrEqual(abandoned.remainingMs());
    // try, retry after SSUBSCRIBE, retry when the lease ran out: no loop of retries.
    expect(evals(delta)).toBeLessThanOrEqual(4);
    expect(delta.ssubscribe).toBe(1);
    await handle.release();
    await close();
  });

  it('when Redis is down, then acquire fails fast with LockUnavailableError and recovers after', async () => {
    const key = uniqueLockKey();
    await server.stop();
    await expect(locks.acquire(key, { ttlMs: 1000, waitMs: 1000 })).rejects.toBeInstanceOf(
      LockUnavailableError,
    );
    await server.start();
    await waitUntil(() => redis.status === 'ready', 10_000, 'the connection to come back');
    const handle = await locks.acquire(key, { ttlMs: 1000, waitMs: 0 });
    await handle.release();
  });

  it('when Redis goes away just after a successful routine, then withLock still returns its result', async () => {
    const key = uniqueLockKey();
    const result = await locks.withLock(key, { ttlMs: 5000, waitMs: 0 }, async () => {
      await server.stop();
      return 'committed';
    });
    expect(result).toBe('committed');
  });

  it('when Redis turns read-only (a failover demoted it) after a successful routine, then withLock still returns its result', async () => {
    const key = uniqueLockKey();
    const result = await locks.withLock(key, { ttlMs: 5000, waitMs: 0 }, async () => {
      // The release that follows gets an error reply (READONLY), not a dropped socket.
      await admin.call('REPLICAOF', '127.0.0.1', '1');
      return 'committed';
    });
    expect(result).toBe('committed');
    await admin.call('REPLICAOF', 'NO', 'ONE');
  });

  it('when Redis restarts while a waiter gave up, then its channel is not subscribed again', async () => {
    const key = uniqueLockKey();
    await locks.acquire(key, { ttlMs: 1500, waitMs: 0 });
    const { manager: other, connection, close } = await otherManager();
    const waiting = other.acquire(key, { ttlMs: 1500, waitMs: 20_000 });
    await waitUntil(
      async () => (await admin.pubsub('SHARDNUMSUB', `${key}:ch`))[1] === 1,
      5000,
      'SUBSCRIBE',
    );
    await server.stop();
    expect(await rejectionOf(waiting)).toBeInstanceOf(LockUnavailableError);
    // An outage long enough for ioredis to give up the UNSUBSCRIBE it queued meanwhile
    // (one retry, reconnects backing off from 50 ms): the channel's only trace is then
    // what the subscriber connection restores on reconnecting.
    await sleep(1500);
    await server.start();
    const fresh = await readyRedis(server.url, 'jest-lock-admin2');
    await waitUntil(
      () => redis.status === 'ready' && connection.status === 'ready',
      10_000,
      'reconnects',
    );
    // A contended acquire on another key goes through the same subscriber connection,
    // after whatever it restored on reconnecting.
    const probe = uniqueLockKey();
    const holder = await locks.acquire(probe, { ttlMs: 3000, waitMs: 0 });
    const next = other.acquire(probe, { ttlMs: 3000, waitMs: 10_000 });
    await waitUntil(
      async () => (await fresh.pubsub('SHARDNUMSUB', `${probe}:ch`))[1] === 1,
      10_000,
      'probe SUBSCRIBE',
    );
    expect(await fresh.pubsub('CHANNELS', `${key}:ch`)).toEqual([]);
    await holder.release();
    await (await next).release();
    fresh.disconnect();
    await close();
  });

  it('when Redis restarts (after a lease) during a hold, then the holder learns it lost the lock before anyone else gets it', async () => {
    const key = uniqueLockKey();
    const started = deferred();
    let lostAt = Number.POSITIVE_INFINITY;
    const holding = locks.withLock(key, { ttlMs: 400, waitMs: 0 }, async (signal) => {
      started.resolve();
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      lostAt = performance.now();
      throw signal.reason;
    });
    await started.promise;
    await server.stop();
    const error = await rejectionOf(holding);
    expect(error).toBeInstanceOf(LockLostError);
    await server.start(); // empty: the lock is gone with the old process
    const { manager: other, close } = await otherManager();
    const handle = await other.acquire(key, { ttlMs: 1000, waitMs: 5000 });
    expect(performance.now()).toBeGreaterThan(lostAt);
    await handle.release();
    await close();
  });

  it('when Redis restarts at once during a hold, then the next renewal reports LockLostError', async () => {
    const key = uniqueLockKey();
    const started = deferred();
    const holding = locks.withLock(key, { ttlMs: 900, waitMs: 0 }, async (signal) => {
      started.resolve();
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      throw signal.reason;
    });
    await started.promise;
    await server.stop();
    await server.start();
    await expect(holding).rejects.toBeInstanceOf(LockLostError);
    expect(await admin.exists(key)).toBe(0);
  });
});

/** A second manager on its own connection to the private server. */
async function otherManager(): Promise<{
  manager: LockManager;
  connection: Redis;
  close: () => Promise<void>;
}> {
  const connection = await readyRedis(server.url, 'jest-lock-other');
  const manager = new LockManager(connection);
  return {
    manager,
    connection,
    close: async () => {
      await manager.close();
      connection.disconnect();
    },
  };
}
