import type Redis from 'ioredis';
import { LockBusyError, lockKey, type LockManager } from '@order-coordinator/lock';

/** Where a value came from: fresh cache, this call's rebuild, another's rebuild, or stale. */
export type CacheSource = 'fresh' | 'rebuilt' | 'waited' | 'stale';

interface Entry {
  value: string;
  builtAt: number;
}

/**
 * Reads `name` from a Redis cache that one process rebuilds at a time. A fresh entry
 * (younger than `maxAgeMs`) is served. A stale one is served at once while another
 * process rebuilds it (`waitMs: 0`: busy means someone is on it); with no entry at all,
 * callers wait for the lock and the first rebuilds, the others find its result when their
 * turn comes (read again under the lock) instead of rebuilding it too.
 */
export async function cached(
  locks: LockManager,
  redis: Redis,
  name: string,
  maxAgeMs: number,
  rebuild: () => Promise<string>,
): Promise<{ value: string; source: CacheSource }> {
  const key = lockKey('cache', name);
  const store = `${key}:value`; // same hash tag as the lock
  const read = async (): Promise<Entry | undefined> => {
    const raw = await redis.get(store);
    return raw === null ? undefined : (JSON.parse(raw) as Entry);
  };
  const fresh = (e: Entry | undefined): boolean =>
    e !== undefined && Date.now() - e.builtAt < maxAgeMs;
  const before = await read();
  if (before && fresh(before)) return { value: before.value, source: 'fresh' };
  try {
    return await locks.withLock(
      key,
      { ttlMs: 10_000, waitMs: before ? 0 : 5000 },
      async (signal) => {
        const now = await read();
        if (now && fresh(now)) return { value: now.value, source: 'waited' as const };
        const value = await rebuild();
        signal.throwIfAborted();
        await redis.set(store, JSON.stringify({ value, builtAt: Date.now() }));
        return { value, source: 'rebuilt' as const };
      },
    );
  } catch (error) {
    if (error instanceof LockBusyError && before) return { value: before.value, source: 'stale' };
    throw error;
  }
}
