import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type Redis from 'ioredis';
import { LockManager } from '../../src';
import { lockKeys } from '../../src/keys';
import { readyRedis, uniqueLockKey } from '../helpers/fixtures';
import { waitUntil } from '../../../../support/time';

const url = process.env.REDIS_URL ?? '';
const root = path.resolve(__dirname, '../..');
const worker = path.join(root, 'test/helpers/worker.ts');

interface Worker {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number>;
}

function startWorker(args: string[]): Worker {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', worker, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number);
  return { child, output: () => output, exited };
}

let redis: Redis;
const workers: Worker[] = [];

beforeAll(async () => {
  redis = await readyRedis(url);
});

afterAll(() => {
  for (const { child } of workers) if (child.exitCode === null) child.kill('SIGKILL');
  redis.disconnect();
});

describe('the lock across OS processes', () => {
  it('when 8 contenders in 2 processes do GET-sleep-SET under the lock, then no increment is lost', async () => {
    const key = uniqueLockKey('mutex');
    const counterKey = `${key}:counter`;
    const [processes, contenders, iterations] = [2, 4, 25];
    const started = Array.from({ length: processes }, () =>
      startWorker(['counter', url, key, counterKey, String(contenders), String(iterations)]),
    );
    workers.push(...started);
    const codes = await Promise.all(started.map((w) => w.exited));
    expect({ codes, output: started.map((w) => w.output()) }).toMatchObject({
      codes: [0, 0],
    });
    expect(Number(await redis.get(counterKey))).toBe(processes * contenders * iterations);
    const keys = lockKeys(key);
    expect(await redis.exists(key, keys.queue, keys.deadlines)).toBe(0);
    await redis.del(counterKey);
  }, 120_000);

  it('when processes A, B and C queue in that order, then they acquire in that order', async () => {
    const key = uniqueLockKey('order');
    const keys = lockKeys(key);
    const logKey = `${key}:log`;
    const holder = new LockManager(redis);
    const held = await holder.acquire(key, { ttlMs: 30_000, waitMs: 0 });
    for (const [index, name] of ['A', 'B', 'C'].entries()) {
      const started = startWorker(['once', url, key, logKey, name]);
      workers.push(started);
      await waitUntil(
        async () => (await redis.llen(keys.queue)) === index + 1,
        30_000,
        `process ${name} to queue`,
      );
    }
    await held.release();
    await Promise.all(workers.slice(-3).map((w) => w.exited));
    expect(workers.slice(-3).map((w) => w.output())).toEqual([
      'ready\ndone\n',
      'ready\ndone\n',
      'ready\ndone\n',
    ]);
    expect(await redis.lrange(logKey, 0, -1)).toEqual(['A', 'B', 'C']);
    await redis.del(logKey);
    await holder.close();
  }, 120_000);
});
