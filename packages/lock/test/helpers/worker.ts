// Runs in its own OS process (spawned with `node --import tsx`), for multi-process lock
// tests. Modes (argv[2]):
//   counter <redisUrl> <key> <counterKey> <contenders> <iterations>
//     each contender does GET, a small sleep, SET under the lock, `iterations` times
//   once <redisUrl> <key> <logKey> <name>
//     waits for the lock once, RPUSHes its name to logKey, releases, exits
// Prints "ready" once connected and "done" at the end.
import { LockManager } from '../../src';
import { sleep } from '../../../../support/time';
import { readyRedis } from './fixtures';

async function counter(manager: LockManager, args: string[], redisUrl: string): Promise<void> {
  const [key = '', counterKey = '', contenders = '4', iterations = '25'] = args;
  const redis = await readyRedis(redisUrl, 'lock-worker-counter');
  const contender = async (): Promise<void> => {
    for (let i = 0; i < Number(iterations); i += 1) {
      await manager.withLock(key, { ttlMs: 2000, waitMs: 30_000 }, async () => {
        const value = Number((await redis.get(counterKey)) ?? '0');
        await sleep(1 + Math.floor(Math.random() * 3));
        await redis.set(counterKey, String(value + 1));
      });
    }
  };
  await Promise.all(Array.from({ length: Number(contenders) }, contender));
  redis.disconnect();
}

async function once(manager: LockManager, args: string[], redisUrl: string): Promise<void> {
  const [key = '', logKey = '', name = ''] = args;
  const redis = await readyRedis(redisUrl, 'lock-worker-once');
  await manager.withLock(key, { ttlMs: 5000, waitMs: 30_000 }, async () => {
    await redis.rpush(logKey, name);
  });
  redis.disconnect();
}

async function main(): Promise<void> {
  const [mode, redisUrl = '', ...args] = process.argv.slice(2);
  const redis = await readyRedis(redisUrl, 'lock-worker');
  const manager = new LockManager(redis);
  process.stdout.write('ready\n');
  if (mode === 'counter') await counter(manager, args, redisUrl);
  else if (mode === 'once') await once(manager, args, redisUrl);
  else throw new Error(`unknown mode ${String(mode)}`);
  await manager.close();
  redis.disconnect();
  process.stdout.write('done\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
