import { Registry } from 'prom-client';
import { LockBusyError, LockLostError, LockManager, type RedisClient } from '../../src';
import { createLockMetrics } from '../../src/prometheus';
import { lockKeys } from '../../src/keys';
import {
  deferred,
  readyClient,
  rejectionOf,
  shardSubscribers,
  uniqueLockKey,
} from '../helpers/fixtures';
import { sleep, waitUntil } from '../../../../support/time';

const url = process.env.REDIS_URL ?? '';
const opened: Array<{ redis: RedisClient; manager: LockManager }> = [];

/** A manager on a connection of its own, as another process would have. */
async function newManager(options?: ConstructorParameters<typeof LockManager>[1]) {
  const redis = await readyClient(url);
  const manager = new LockManager(redis, options);
  opened.push({ redis, manager });
  return { redis, manager };
}

let redis: RedisClient;
let locks: LockManager;

beforeAll(async () => {
  ({ redis, manager: locks } = await newManager());
});

afterAll(async () => {
  for (const { redis: connection, manager } of opened) {
    await manager.close();
    connection.disconnect();
  }
});

describe('LockManager on the shared Redis', () => {
  it('when a lock is acquired, then the key holds its token with the lease as PTTL', async () => {
    const key = uniqueLockKey();
    const handle = await locks.acquire(key, { ttlMs: 5000, waitMs: 0 });
    expect(await redis.get(key)).toBe(handle.token);
    expect(await redis.pttl(key)).toBeGreaterThan(4000);
    expect(handle.remainingMs()).toBeGreaterThan(4000);
    await handle.release();
    expect(await redis.exists(key)).toBe(0);
  });

  it('when the options are bad, then it throws before touching Redis', async () => {
    const key = uniqueLockKey();
    await expect(locks.acquire(key, { ttlMs: 5, waitMs: 0 })).rejects.toThrow(RangeError);
    await expect(locks.acquire('no-tag', { ttlMs: 50, waitMs: 0 })).rejects.toThrow(TypeError);
    expect(await redis.exists(key)).toBe(0);
  });

  it('when the key stays busy for waitMs, then LockBusyError with about the holder PTTL', async () => {
    const key = uniqueLockKey();
    const holder = await locks.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    const { manager } = await newManager();
    const error = await rejectionOf(manager.acquire(key, { ttlMs: 1000, waitMs: 300 }));
    const pttl = await redis.pttl(key);
    expect(error).toBeInstanceOf(LockBusyError);
    const { remainingMs } = error as LockBusyError;
    expect(remainingMs).toBeGreaterThanOrEqual(pttl);
    expect(remainingMs).toBeLessThanOrEqual(pttl + 2000);
    await holder.release();
    expect(await redis.exists(lockKeys(key).queue)).toBe(0);
  });

  it('when waitMs is 0 and the key is busy, then one try, LockBusyError and no queue entry', async () => {
    const key = uniqueLockKey();
    const holder = await locks.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    const { manager } = await newManager();
    await expect(manager.acquire(key, { ttlMs: 1000, waitMs: 0 })).rejects.toBeInstanceOf(
      LockBusyError,
    );
    expect(await redis.exists(lockKeys(key).queue, lockKeys(key).deadlines)).toBe(0);
    await holder.release();
  });

  it('when the key is overwritten by hand, then release says LockLostError and keeps theirs', async () => {
    const key = uniqueLockKey();
    const handle = await locks.acquire(key, { ttlMs: 5000, waitMs: 0 });
    await redis.set(key, 'someone-else', 'PX', 5000);
    await expect(handle.release()).rejects.toBeInstanceOf(LockLostError);
    expect(await redis.get(key)).toBe('someone-else');
    await redis.del(key);
  });

  it('when the lease ran out before release, then release says LockLostError', async () => {
    const key = uniqueLockKey();
    const handle = await locks.acquire(key, { ttlMs: 50, waitMs: 0 });
    await waitUntil(async () => (await redis.exists(key)) === 0, 5000, 'the lease to end');
    await expect(handle.release()).rejects.toBeInstanceOf(LockLostError);
    expect(handle.signal.reason).toBeInstanceOf(LockLostError);
  });

  it('when the key is stolen mid-routine, then the watchdog fires the signal with LockLostError and withLock answers what the routine answered', async () => {
    const key = uniqueLockKey();
    const started = deferred();
    let reason: unknown;
    const result = locks.withLock(key, { ttlMs: 300, waitMs: 0 }, async (signal) => {
      started.resolve();
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      reason = signal.reason;
      return 'finished anyway';
    });
    await started.promise;
    await redis.set(key, 'thief', 'PX', 10_000);
    // The loss is reported through the signal; the routine decides what it means.
    await expect(result).resolves.toBe('finished anyway');
    expect(reason).toBeInstanceOf(LockLostError);
    expect(await redis.get(key)).toBe('thief');
    await redis.del(key);
  });

  it('when the routine throws and the lock was also lost, then its own error wins', async () => {
    const key = uniqueLockKey();
    const own = new Error('routine failed');
    const result = locks.withLock(key, { ttlMs: 5000, waitMs: 0 }, async () => {
      await redis.set(key, 'thief', 'PX', 10_000);
      throw own;
    });
    await expect(result).rejects.toBe(own);
    expect(await redis.get(key)).toBe('thief');
    await redis.del(key);
  });

  it('when a routine runs through three leases, then the watchdog keeps the lock', async () => {
    const key = uniqueLockKey();
    const { manager: other } = await newManager();
    const result = await locks.withLock(key, { ttlMs: 300, waitMs: 0 }, async (signal) => {
      const token = await redis.get(key);
      for (let i = 0; i < 10; i += 1) {
        await sleep(100); // 1000 ms in all: more than three 300 ms leases
        expect(await redis.get(key)).toBe(token);
        expect(signal.aborted).toBe(false);
      }
      await expect(other.acquire(key, { ttlMs: 300, waitMs: 0 })).rejects.toBeInstanceOf(
        LockBusyError,
      );
      return 'kept';
    });
    expect(result).toBe('kept');
    expect(await redis.exists(key)).toBe(0);
  });

  it('when a waiter aborts its wait, then it rejects with the reason and leaves no trace', async () => {
    const key = uniqueLockKey();
    const keys = lockKeys(key);
    const holder = await locks.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    const { manager } = await newManager();
    const controller = new AbortController();
    const waiting = manager.acquire(key, {
      ttlMs: 1000,
      waitMs: 20_000,
      signal: controller.signal,
    });
    await waitUntil(async () => (await redis.llen(keys.queue)) === 1, 5000, 'the waiter to queue');
    const reason = new Error('client went away');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(await redis.exists(keys.queue, keys.deadlines)).toBe(0);
    await holder.release();
    expect(await redis.exists(key)).toBe(0);
  });

  it('when the signal is already aborted, then it rejects with an AbortError at once', async () => {
    const key = uniqueLockKey();
    const controller = new AbortController();
    controller.abort();
    const error = await rejectionOf(
      locks.acquire(key, { ttlMs: 1000, waitMs: 1000, signal: controller.signal }),
    );
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(await redis.exists(key)).toBe(0);
  });

  it('when a fresh manager first waits on many keys at once, then every waiter subscribes and gets its lock', async () => {
    // The first contended acquire opens the manager's subscriber connection; several
    // SUBSCRIBEs queued before it is ready once made its ready check fail (503s).
    for (let round = 0; round < 10; round++) {
      const holder = await newManager();
      const fresh = await newManager();
      const keys = Array.from({ length: 6 }, () => uniqueLockKey('fresh'));
      const held = await Promise.all(
        keys.map((key) => holder.manager.acquire(key, { ttlMs: 5000, waitMs: 0 })),
      );
      const waiting = keys.map((key) =>
        fresh.manager.withLock(key, { ttlMs: 5000, waitMs: 10_000 }, async () => key),
      );
      // Release only once every waiter is subscribed: the SUBSCRIBEs are what once failed.
      await waitUntil(
        async () => {
          const counts = await shardSubscribers(
            redis,
            keys.map((k) => lockKeys(k).channel),
          );
          return counts.every((count) => count === 1);
        },
        5000,
        'every waiter to subscribe to its key',
      );
      await Promise.all(held.map((h) => h.release()));
      expect(await Promise.all(waiting)).toEqual(keys);
    }
  });

  it('when A, B and C queue in that order in separate managers, then they acquire in that order', async () => {
    const key = uniqueLockKey();
    const keys = lockKeys(key);
    const holder = await locks.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    const order: string[] = [];
    const runs: Array<Promise<void>> = [];
    for (const name of ['A', 'B', 'C']) {
      const { manager } = await newManager();
      runs.push(
        manager.withLock(key, { ttlMs: 5000, waitMs: 20_000 }, async () => {
          order.push(name);
          await sleep(5);
        }),
      );
      await waitUntil(
        async () => (await redis.llen(keys.queue)) === runs.length,
        5000,
        `${name} to queue`,
      );
    }
    await holder.release();
    await Promise.all(runs);
    expect(order).toEqual(['A', 'B', 'C']);
    expect(await redis.exists(key, keys.queue, keys.deadlines)).toBe(0);
  });

  it('when several waiters in one manager wait, then they go in call order with one Redis entry', async () => {
    const key = uniqueLockKey();
    const keys = lockKeys(key);
    const holder = await locks.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    const { manager } = await newManager();
    const order: number[] = [];
    const runs = [0, 1, 2, 3, 4].map((i) =>
      manager.withLock(key, { ttlMs: 5000, waitMs: 20_000 }, async () => {
        order.push(i);
        await sleep(5);
      }),
    );
    // The first waiter queues in Redis, then subscribes; once it sleeps on the channel
    // the four others have had every chance to queue in Redis too (they must not).
    await waitUntil(async () => (await redis.llen(keys.queue)) === 1, 5000, 'one queue entry');
    await waitUntil(
      async () => (await shardSubscribers(redis, [keys.channel]))[0] === 1,
      5000,
      'the first waiter to subscribe',
    );
    expect(await redis.llen(keys.queue)).toBe(1);
    await holder.release();
    await Promise.all(runs);
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('when a queued waiter died, then its entry goes stale and the next one gets the lock', async () => {
    const key = uniqueLockKey();
    const keys = lockKeys(key);
    const [seconds, micros] = await redis.time();
    const redisNowMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    // A dead process's entry at the head, due to go stale 300 ms from now (Redis clock).
    await redis.rpush(keys.queue, 'dead-waiter');
    await redis.zadd(keys.deadlines, redisNowMs + 300, 'dead-waiter');
    await expect(locks.acquire(key, { ttlMs: 1000, waitMs: 0 })).rejects.toBeInstanceOf(
      LockBusyError,
    );
    const handle = await locks.acquire(key, { ttlMs: 1000, waitMs: 10_000 });
    expect(await redis.get(key)).toBe(handle.token);
    expect(await redis.lrange(keys.queue, 0, -1)).toEqual([]);
    await handle.release();
  });

  it('when locks are contended, then the prom-client metrics count it', async () => {
    const registry = new Registry();
    const { manager } = await newManager({ metrics: createLockMetrics(registry) });
    const key = uniqueLockKey();
    await Promise.all(
      [1, 2, 3].map(() => manager.withLock(key, { ttlMs: 1000, waitMs: 10_000 }, () => sleep(20))),
    );
    const text = await registry.metrics();
    expect(text).toContain('lock_contended_total 2');
    expect(text).toContain('lock_wait_seconds_count{outcome="acquired"} 3');
    expect(text).toContain('lock_hold_seconds_count 3');
    expect(text).toContain('lock_lost_total 0');
  });
});
