// The release hands a busy lock to the first waiter in line. These tests count commands
// and restart Redis, so they run on a private redis-server of their own.
import { performance } from 'node:perf_hooks';
import type Redis from 'ioredis';
import { LockBusyError, LockHandle, LockManager, LockUnavailableError } from '../../src';
import { lockKeys } from '../../src/keys';
import { defineLockScripts } from '../../src/scripts';
import { PrivateRedis } from '../../../../harness/procs/redis';
import { commandDelta, commandStats } from '../../../../support/redis-stats';
import { sleep, waitUntil } from '../../../../support/time';
import { readyRedis, rejectionOf, uniqueLockKey } from '../helpers/fixtures';

let server: PrivateRedis;
let admin: Redis;
const opened: Array<{ redis: Redis; manager: LockManager }> = [];

/** A manager on a connection of its own, as another process would have. */
async function newManager(): Promise<LockManager> {
  const redis = await readyRedis(server.url);
  const manager = new LockManager(redis);
  opened.push({ redis, manager });
  return manager;
}

beforeEach(async () => {
  server = await PrivateRedis.start();
  admin = await readyRedis(server.url, 'jest-lock-admin');
  defineLockScripts(admin);
});

afterEach(async () => {
  for (const { redis, manager } of opened.splice(0)) {
    await manager.close();
    redis.disconnect();
  }
  admin.disconnect();
  await server.stop();
});

/** Redis's clock in ms, as the scripts read it. */
async function redisNow(): Promise<number> {
  const [seconds, micros] = await admin.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

/** Puts a waiter that will never come back at the end of `key`'s queue. */
async function queueGhost(key: string, token: string, deadlineInMs: number): Promise<void> {
  const keys = lockKeys(key);
  await admin.rpush(keys.queue, token);
  await admin.zadd(keys.deadlines, (await redisNow()) + deadlineInMs, token);
}

const queued = (key: string, n: number) =>
  waitUntil(async () => (await admin.llen(lockKeys(key).queue)) === n, 5000, `${n} queued`);

describe('the lock hands itself to the next waiter on release', () => {
  it('when a hot key changes hands, then the waiter holds it without an acquire of its own: 2 scripts per contended cycle, no SSUBSCRIBE once the channel is live', async () => {
    const [a, b] = [await newManager(), await newManager()];
    const key = uniqueLockKey('hot');
    const cycle = async () => {
      const held = await a.acquire(key, { ttlMs: 5000, waitMs: 0 });
      const waiting = b.acquire(key, { ttlMs: 5000, waitMs: 5000 });
      await queued(key, 1);
      await held.release();
      // Handed over inside the release: Redis names the waiter before it runs anything.
      const holder = await admin.get(key);
      const handle = await waiting;
      expect(holder).toBe(handle.token);
      await handle.release();
    };
    await cycle(); // loads the scripts and subscribes
    const before = await commandStats(admin);
    for (let round = 0; round < 5; round++) await cycle();
    const delta = Object.fromEntries(commandDelta(before, await commandStats(admin)));
    // Per round: a's acquire, b's one queued attempt, a's release, b's release.
    expect((delta.evalsha ?? 0) + (delta.eval ?? 0)).toBe(5 * 4);
    expect(delta.ssubscribe ?? 0).toBe(0);
    expect(delta.sunsubscribe ?? 0).toBe(0);
  });

  it('when a waiter waited longer than its own lease, then the hand-off still gives it a full lease (re-anchored by one extend)', async () => {
    const [a, b] = [await newManager(), await newManager()];
    const key = uniqueLockKey('long-wait');
    const held = await a.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    const waiting = b.acquire(key, { ttlMs: 300, waitMs: 20_000 });
    await queued(key, 1);
    // Its last call was sent long before the release: from here alone its lease would
    // already have lapsed, though Redis granted it only now.
    await sleep(800);
    await held.release();
    const handle = await waiting;
    expect(await admin.get(key)).toBe(handle.token);
    expect(handle.remainingMs()).toBeGreaterThan(100);
    expect(handle.signal.aborted).toBe(false);
    await handle.release();
  });

  it('when the head waiter is dead, then the hand-off leases it the lock only until its queue deadline, and the next waiter gets it then', async () => {
    const [a, b] = [await newManager(), await newManager()];
    const key = uniqueLockKey('dead-head');
    const held = await a.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    // A waiter that asked for a 60 s lease and died; its entry goes stale in 600 ms.
    await queueGhost(key, 'ghost:60000', 600);
    const waiting = b.acquire(key, { ttlMs: 5000, waitMs: 20_000 });
    await queued(key, 2);
    const releasedAt = performance.now();
    await held.release();
    expect(await admin.get(key)).toBe('ghost:60000');
    expect(await admin.pttl(key)).toBeLessThanOrEqual(600);
    const handle = await waiting;
    const waitedMs = performance.now() - releasedAt;
    expect(await admin.get(key)).toBe(handle.token);
    // The ghost's deadline bounds the stall, not its 60 s lease (nor b's 20 s wait).
    expect(waitedMs).toBeLessThan(600 + 1000);
    await handle.release();
  });

  it('when the head waiter is past its deadline at the release, then it is skipped and the next waiter gets the lock at once', async () => {
    const [a, b] = [await newManager(), await newManager()];
    const key = uniqueLockKey('stale-head');
    const held = await a.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    await queueGhost(key, 'ghost:60000', 50);
    const waiting = b.acquire(key, { ttlMs: 5000, waitMs: 20_000 });
    await queued(key, 2);
    await sleep(100);
    const releasedAt = performance.now();
    await held.release();
    const handle = await waiting;
    expect(performance.now() - releasedAt).toBeLessThan(300);
    expect(await admin.get(key)).toBe(handle.token);
    expect(await admin.lrange(lockKeys(key).queue, 0, -1)).toEqual([]);
    await handle.release();
  });

  it('when the head waiter gives up before the release, then the next waiter gets the lock at the release', async () => {
    const [a, b, c] = [await newManager(), await newManager(), await newManager()];
    const key = uniqueLockKey('gave-up');
    const held = await a.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    const impatient = b.acquire(key, { ttlMs: 5000, waitMs: 300 });
    await queued(key, 1);
    const patient = c.acquire(key, { ttlMs: 5000, waitMs: 20_000 });
    await queued(key, 2);
    expect(await rejectionOf(impatient)).toBeInstanceOf(LockBusyError);
    await queued(key, 1);
    const releasedAt = performance.now();
    await held.release();
    const handle = await patient;
    expect(performance.now() - releasedAt).toBeLessThan(300);
    expect(await admin.get(key)).toBe(handle.token);
    await handle.release();
  });

  it('when a waiter leaves after the lock was handed to it, then its leave hands the lock on', async () => {
    const [a, b] = [await newManager(), await newManager()];
    const key = uniqueLockKey('left-after-grant');
    const keys = lockKeys(key);
    const held = await a.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    await queueGhost(key, 'late:60000', 10_000);
    const waiting = b.acquire(key, { ttlMs: 5000, waitMs: 20_000 });
    await queued(key, 2);
    await held.release();
    expect(await admin.get(key)).toBe('late:60000');
    // Its give-up arrives after the hand-off (the leave of a waiter whose wait ended).
    const leftAt = performance.now();
    await admin.lockLeave(keys.lock, keys.queue, keys.deadlines, 'late:60000', keys.channel, 1000);
    const handle = await waiting;
    expect(performance.now() - leftAt).toBeLessThan(300);
    expect(await admin.get(key)).toBe(handle.token);
    await handle.release();
  });

  it('when the subscriber connection drops just before a hand-off, then the reconnect wakes the waiter, which finds the lock already its own', async () => {
    const [a, b] = [await newManager(), await newManager()];
    const key = uniqueLockKey('lost-grant');
    const held = await a.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    const waiting = b.acquire(key, { ttlMs: 5000, waitMs: 20_000 });
    await queued(key, 1);
    await waitUntil(
      async () => Number((await admin.pubsub('SHARDNUMSUB', lockKeys(key).channel))[1]) === 1,
      5000,
      'the waiter to subscribe',
    );
    // The grant is published while nobody listens: only the reconnect can tell the waiter.
    await admin.client('KILL', 'TYPE', 'pubsub');
    const releasedAt = performance.now();
    await held.release();
    const holder = await admin.get(key);
    const handle = await waiting;
    expect(handle.token).toBe(holder);
    // Far sooner than the 10 s lease the waiter's timer was set by.
    expect(performance.now() - releasedAt).toBeLessThan(3000);
    await handle.release();
  });

  it('when Redis restarts empty during a wait, then the waiter ends within bounds, with the lock held alone or LockUnavailableError, and the key works after', async () => {
    const [a, b] = [await newManager(), await newManager()];
    const key = uniqueLockKey('restart');
    const held = await a.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    const waiting = b
      .acquire(key, { ttlMs: 5000, waitMs: 20_000 })
      .catch((error: unknown) => error);
    await queued(key, 1);
    await server.stop();
    await Promise.allSettled([held.release()]);
    await server.start();
    const restartedAt = performance.now();
    const outcome = await waiting;
    expect(performance.now() - restartedAt).toBeLessThan(3000);
    const fresh = await readyRedis(server.url, 'jest-lock-admin2');
    try {
      if (outcome instanceof LockHandle) {
        expect(await fresh.get(key)).toBe(outcome.token);
        await expect(a.acquire(key, { ttlMs: 1000, waitMs: 0 })).rejects.toBeInstanceOf(
          LockBusyError,
        );
        await outcome.release();
      } else {
        expect(outcome).toBeInstanceOf(LockUnavailableError);
      }
      await waitUntil(() => opened.every((o) => o.redis.status === 'ready'), 10_000, 'reconnects');
      const again = await a.acquire(key, { ttlMs: 1000, waitMs: 5000 });
      expect(await fresh.get(key)).toBe(again.token);
      await again.release();
    } finally {
      fresh.disconnect();
    }
  });
});
