// Hand-off latency: time from the holder calling release() to the next waiter (another
// LockManager on its own connections) holding the lock. Run: npx tsx packages/lock/test/helpers/handoff-measure.ts [count]
// Uses REDIS_URL (default: the project's Redis, database 1) and a random key.
import { performance } from 'node:perf_hooks';
import { LockManager, type LockHandle } from '../../src';
import { lockKeys } from '../../src/keys';
import { percentile } from '../../../../support/stats';
import { waitUntil } from '../../../../support/time';
import { serviceUrls } from '../../../../support/urls';
import { readyRedis, uniqueLockKey } from './fixtures';

const url = process.env.REDIS_URL || serviceUrls().testRedisUrl;
const count = Number(process.argv[2] ?? '300');
const options = { ttlMs: 5000, waitMs: 10_000 };

async function main(): Promise<void> {
  const [a, b, admin] = await Promise.all([readyRedis(url), readyRedis(url), readyRedis(url)]);
  const managers = [new LockManager(a), new LockManager(b)];
  const key = uniqueLockKey('handoff');
  const { queue } = lockKeys(key);
  let holder: LockHandle = await managers[0]!.acquire(key, options);
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const waiter = managers[(i + 1) % 2]!;
    const next = waiter.acquire(key, options).then((handle) => ({ handle, at: performance.now() }));
    await waitUntil(async () => (await admin.llen(queue)) > 0, 10_000, 'the waiter to queue', 1);
    const releasedAt = performance.now();
    await holder.release();
    const { handle, at } = await next;
    samples.push(at - releasedAt);
    holder = handle;
  }
  await holder.release();
  samples.sort((x, y) => x - y);
  const fmt = (ms: number): string => `${ms.toFixed(2)} ms`;
  console.log(
    `hand-offs: ${samples.length}, median ${fmt(percentile(samples, 50))}, ` +
      `p99 ${fmt(percentile(samples, 99))}, max ${fmt(samples.at(-1) ?? NaN)}`,
  );
  await Promise.all(managers.map((m) => m.close()));
  for (const connection of [a, b, admin]) connection.disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
