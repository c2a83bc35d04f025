import type Redis from 'ioredis';
import { lockKey, type LockManager } from '@order-coordinator/lock';

/** A prize pool: `left` prizes for `players` tickets not yet drawn; `version` fences writes. */
export interface Pool {
  left: number;
  players: number;
  version: number;
}

const poolKey = (pool: string): string => `${lockKey('lottery', pool)}:pool`;

// The fencing check: the write lands only on the version the draw read.
const WRITE_IF_VERSION = `
if redis.call('HGET', KEYS[1], 'version') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'left', ARGV[2], 'players', ARGV[3], 'version', ARGV[1] + 1)
return 1`;

export async function openPool(redis: Redis, pool: string, prizes: number, players: number) {
  await redis.hset(poolKey(pool), { left: prizes, players, version: 0 });
}

export async function readPool(redis: Redis, pool: string): Promise<Pool> {
  const h = await redis.hgetall(poolKey(pool));
  return { left: Number(h.left), players: Number(h.players), version: Number(h.version) };
}

/** Writes `next` if the pool is still at `read.version`; false when someone wrote first. */
export async function writePool(redis: Redis, pool: string, read: Pool, next: Pool) {
  const args = [read.version, next.left, next.players];
  return (await redis.eval(WRITE_IF_VERSION, 1, poolKey(pool), ...args)) === 1;
}

/**
 * One player's draw: wins with odds `left / players`, so the prizes run out exactly with
 * the last ticket and never before. The lock makes the draws of a pool take turns (each
 * reads the pool the previous draw wrote); the version check, not the lock, keeps a
 * prize from being given twice when a lease lapses under a paused holder.
 * @returns true when this player won; throws when the pool moved under a lost lock.
 */
export async function draw(locks: LockManager, redis: Redis, pool: string): Promise<boolean> {
  return locks.withLock(lockKey('lottery', pool), { ttlMs: 5000, waitMs: 10_000 }, async () => {
    const read = await readPool(redis, pool);
    if (read.players <= 0) throw new RangeError('every ticket has been drawn');
    const won = read.left > 0 && Math.random() * read.players < read.left;
    const next = { ...read, left: read.left - (won ? 1 : 0), players: read.players - 1 };
    if (!(await writePool(redis, pool, read, next))) throw new Error('pool changed: lost lock');
    return won;
  });
}
