// Every Redis round trip of the lock has a deadline: a stalled Redis (every socket holds
// its bytes, as a SIGSTOPped server does) or a half-open subscriber socket (bytes vanish)
// costs a bounded wait, never a hung caller. Redis sits behind a TCP proxy of the test's
// own (the harness's RedisProxy), so the shared server is never stalled.
import { performance } from 'node:perf_hooks';
import type Redis from 'ioredis';
import { LockBusyError, LockLostError, LockManager, LockUnavailableError } from '../../src';
import { readyRedis, rejectionOf, uniqueLockKey } from '../helpers/fixtures';
import { RedisProxy } from '../../../../harness/procs/redis-proxy';
import { sleep, waitUntil } from '../../../../support/time';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6391/1';
/** Longer than any bound asserted below: without deadlines the callers would hang this long. */
const STALL_MS = 6000;

let proxy: RedisProxy;
let direct: Redis;
let proxied: Redis;
let free: LockManager; // on a direct connection: never stalled
let stalled: LockManager; // behind the proxy

beforeEach(async () => {
  const target = new URL(REDIS_URL);
  proxy = await RedisProxy.start(Number(target.port));
  direct = await readyRedis(REDIS_URL, 'jest-deadline-direct');
  proxied = await readyRedis(proxy.urlFor(Number(target.pathname.slice(1))));
  free = new LockManager(direct);
  stalled = new LockManager(proxied);
});

afterEach(async () => {
  proxy.thaw();
  await Promise.all([free.close(), stalled.close()]);
  direct.disconnect();
  proxied.disconnect();
  await proxy.close();
});

/** Ms from now until `promise` settles, and how. */
async function timed<T>(promise: Promise<T>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return { ms: performance.now() - started, error };
}

describe('lock deadlines', () => {
  it('when Redis stalls, then an acquire with waitMs 1000 ends within a few hundred ms of its wait', async () => {
    const key = uniqueLockKey();
    const held = await free.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    proxy.stall();
    const thaw = setTimeout(() => proxy.thaw(), STALL_MS);
    const { ms, error } = await timed(stalled.acquire(key, { ttlMs: 5000, waitMs: 1000 }));
    clearTimeout(thaw);
    expect(error).toBeInstanceOf(LockUnavailableError);
    expect(ms).toBeLessThan(1000 + 700);
    await held.release();
  });

  it('when a grant arrives after its caller gave up, then it is given back once Redis answers', async () => {
    const key = uniqueLockKey();
    proxy.stall();
    const { error } = await timed(stalled.acquire(key, { ttlMs: 20_000, waitMs: 0 }));
    expect(error).toBeInstanceOf(LockUnavailableError);
    // Past the connection's own command deadline too: that answer is dropped unseen.
    await sleep(1500);
    proxy.thaw();
    // The held-back script grants the lock to the caller that left; the undo that
    // follows it frees the key long before its 20 s lease.
    const other = await free.acquire(key, { ttlMs: 5000, waitMs: 5000 });
    await other.release();
  });

  it('when Redis stalls, then an abort ends the wait at once', async () => {
    const key = uniqueLockKey();
    const held = await free.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    const controller = new AbortController();
    const waiting = stalled.acquire(key, {
      ttlMs: 5000,
      waitMs: 30_000,
      signal: controller.signal,
    });
    await waitUntil(async () => (await direct.llen(`${key}:q`)) === 1, 5000, 'queued');
    proxy.stall();
    setTimeout(() => controller.abort(), 300);
    const { ms, error } = await timed(waiting);
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(ms).toBeLessThan(300 + 700);
    proxy.thaw();
    await held.release();
  });

  it('when Redis stalls after the routine finished, then withLock answers the routine at once', async () => {
    const key = uniqueLockKey();
    const { ms, error } = await timed(
      stalled.withLock(key, { ttlMs: 5000, waitMs: 0 }, () => {
        proxy.stall();
        return Promise.resolve('committed');
      }),
    );
    expect(error).toBeUndefined();
    expect(ms).toBeLessThan(700);
  });

  it('when the subscriber connection turns half-open, then it is replaced and waiters still get the lock', async () => {
    // Warm up: a contended acquire opens the stalled manager's subscriber connection.
    const warm = uniqueLockKey();
    const first = await free.acquire(warm, { ttlMs: 5000, waitMs: 0 });
    const second = stalled.acquire(warm, { ttlMs: 5000, waitMs: 5000 });
    await waitUntil(async () => (await direct.llen(`${warm}:q`)) === 1, 5000, 'queued');
    await first.release();
    await (await second).release();
    expect(proxy.blackholeSubscribers()).toBe(1);

    const key = uniqueLockKey();
    const held = await free.acquire(key, { ttlMs: 3000, waitMs: 0 });
    const waiters = [1, 2].map(() => stalled.acquire(key, { ttlMs: 3000, waitMs: 8000 }));
    await waitUntil(async () => (await direct.llen(`${key}:q`)) === 1, 5000, 'queued');
    await held.release();
    // Both local waiters get it in turn, long before the holder's lease could have woken
    // them, and long before TCP would give up on the dead socket (minutes).
    for (const waiting of waiters) await (await waiting).release();
  });

  it('when close() runs while a waiter has a call in flight, then the waiter ends at once', async () => {
    const key = uniqueLockKey();
    const held = await free.acquire(key, { ttlMs: 6000, waitMs: 0 });
    const waiting = stalled.acquire(key, { ttlMs: 6000, waitMs: 20_000 });
    await waitUntil(async () => (await direct.llen(`${key}:q`)) === 1, 5000, 'queued');
    proxy.stall(); // its next call stays in flight
    const [token] = await direct.lrange(`${key}:q`, 0, 0);
    await direct.spublish(`${key}:ch`, token ?? ''); // the wake-up is held too...
    const { ms, error } = await timed(Promise.all([waiting, stalled.close()]));
    expect(error).toBeInstanceOf(LockUnavailableError);
    expect(ms).toBeLessThan(1500);
    proxy.thaw();
    await held.release();
  });

  it('when a holder extends to a shorter lease, then its signal fires before anyone else gets the lock', async () => {
    const key = uniqueLockKey();
    const handle = await stalled.acquire(key, { ttlMs: 5000, waitMs: 0 });
    await handle.extend(300);
    expect(handle.remainingMs()).toBeLessThanOrEqual(300);
    const other = await free.acquire(key, { ttlMs: 5000, waitMs: 5000 });
    expect(handle.signal.aborted).toBe(true);
    expect(handle.signal.reason).toBeInstanceOf(LockLostError);
    await other.release();
    await expect(handle.release()).rejects.toBeInstanceOf(LockLostError);
  });

  it('when the key is busy and Redis answers, then waitMs still ends in LockBusyError', async () => {
    const key = uniqueLockKey();
    const held = await free.acquire(key, { ttlMs: 10_000, waitMs: 0 });
    const error = await rejectionOf(stalled.acquire(key, { ttlMs: 5000, waitMs: 300 }));
    expect(error).toBeInstanceOf(LockBusyError);
    await held.release();
  });
});
