import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { LockManager } from '../../src';
import { cached } from '../../examples/cache-rebuild';
import { draw, openPool, readPool, writePool } from '../../examples/lottery';
import { runOnce } from '../../examples/run-once';
import { readyRedis } from '../helpers/fixtures';
import { sleep } from '../../../../support/time';

// The README's recipes, run as written, by several "processes": lock managers on
// connections of their own, on the real Redis.
const url = process.env.REDIS_URL ?? '';
const PROCESSES = 5;
let processes: Array<{ redis: Redis; locks: LockManager }> = [];
const created: string[] = [];

beforeAll(async () => {
  processes = await Promise.all(
    Array.from({ length: PROCESSES }, async () => {
      const redis = await readyRedis(url, 'jest-lock-recipes');
      return { redis, locks: new LockManager(redis) };
    }),
  );
});

afterAll(async () => {
  const [first] = processes;
  if (first && created.length > 0) await first.redis.del(...created);
  for (const { redis, locks } of processes) {
    await locks.close();
    redis.disconnect();
  }
});

const id = (label: string) => `${label}-${randomUUID()}`;

describe('recipe: a job that must run once', () => {
  it('when every process fires it at once and again later, then it runs once', async () => {
    const runId = id('report');
    created.push(`lock:{job:${runId}}:done`);
    let runs = 0;
    const job = async () => {
      runs++;
      await sleep(200); // long enough for every other process to find it running
    };
    const atOnce = await Promise.all(
      processes.map(({ locks, redis }) => runOnce(locks, redis, runId, job)),
    );
    const later = await Promise.all(
      processes.map(({ locks, redis }) => runOnce(locks, redis, runId, job)),
    );
    expect(runs).toBe(1);
    expect(atOnce.filter((o) => o === 'ran')).toHaveLength(1);
    expect(atOnce.filter((o) => o === 'busy')).toHaveLength(PROCESSES - 1);
    expect(later).toEqual(processes.map(() => 'done'));
  });
});

describe('recipe: a cache rebuilt by one process', () => {
  it('when the cache is empty, then one process rebuilds and the others wait for its value', async () => {
    const name = id('prices');
    created.push(`lock:{cache:${name}}:value`);
    let rebuilds = 0;
    const rebuild = async () => {
      rebuilds++;
      await sleep(200);
      return `v${rebuilds}`;
    };
    const got = await Promise.all(
      processes.map(({ locks, redis }) => cached(locks, redis, name, 60_000, rebuild)),
    );
    expect(rebuilds).toBe(1);
    expect(got.map((g) => g.value)).toEqual(processes.map(() => 'v1'));
    expect(got.filter((g) => g.source === 'rebuilt')).toHaveLength(1);
    expect(got.filter((g) => g.source === 'waited')).toHaveLength(PROCESSES - 1);
  });

  it('when the entry is stale, then one process rebuilds and the others serve the stale value at once', async () => {
    const name = id('prices');
    created.push(`lock:{cache:${name}}:value`);
    const [first] = processes;
    await first?.redis.set(
      `lock:{cache:${name}}:value`,
      JSON.stringify({ value: 'old', builtAt: 0 }),
    );
    let rebuilds = 0;
    const rebuild = async () => {
      rebuilds++;
      await sleep(500);
      return 'new';
    };
    const timed = processes.map(async ({ locks, redis }) => {
      const t0 = Date.now();
      const got = await cached(locks, redis, name, 60_000, rebuild);
      return { ...got, ms: Date.now() - t0 };
    });
    const got = await Promise.all(timed);
    expect(rebuilds).toBe(1);
    const stale = got.filter((g) => g.source === 'stale');
    expect(got.filter((g) => g.source === 'rebuilt').map((g) => g.value)).toEqual(['new']);
    expect(stale).toHaveLength(PROCESSES - 1);
    for (const g of stale)
      expect({ value: g.value, fast: g.ms < 400 }).toEqual({ value: 'old', fast: true });
    // Afterwards everyone reads the rebuilt value.
    const after = await cached(
      first?.locks as LockManager,
      first?.redis as Redis,
      name,
      60_000,
      rebuild,
    );
    expect(after).toEqual({ value: 'new', source: 'fresh' });
  });
});

describe('recipe: a lottery whose prizes are limited', () => {
  it('when 60 players draw at once from 5 processes, then exactly the 12 prizes are won', async () => {
    const pool = id('spring');
    created.push(`lock:{lottery:${pool}}:pool`);
    const [first] = processes;
    if (!first) throw new Error('no process');
    await openPool(first.redis, pool, 12, 60);
    const draws = Array.from({ length: 60 }, (_, i) => {
      const p = processes[i % PROCESSES] ?? first;
      return draw(p.locks, p.redis, pool);
    });
    const won = (await Promise.all(draws)).filter(Boolean);
    expect(won).toHaveLength(12);
    expect(await readPool(first.redis, pool)).toEqual({ left: 0, players: 0, version: 60 });
  });

  it('when a draw writes on a version someone else moved (a lapsed lease), then the write is refused', async () => {
    const pool = id('spring');
    created.push(`lock:{lottery:${pool}}:pool`);
    const [first] = processes;
    if (!first) throw new Error('no process');
    await openPool(first.redis, pool, 1, 2);
    const paused = await readPool(first.redis, pool); // holder A reads, then stalls
    const other = await readPool(first.redis, pool); // B (lease lapsed) reads and wins
    expect(await writePool(first.redis, pool, other, { ...other, left: 0, players: 1 })).toBe(true);
    // A wakes and would hand out the prize again: the version check refuses it.
    expect(await writePool(first.redis, pool, paused, { ...paused, left: 0, players: 1 })).toBe(
      false,
    );
    expect(await readPool(first.redis, pool)).toEqual({ left: 0, players: 1, version: 1 });
  });
});
