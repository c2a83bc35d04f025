import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import Redis from 'ioredis';
import { PrivateRedis } from '../../harness/procs/redis';
import { createRateLimitMetrics } from '../../src/ratelimit';
import { openContext, type TestContext } from '../helpers/context';
import { principal, type Principal } from '../helpers/api';
import { startLimited, type LimitedInstance } from '../helpers/ratelimit';
import { waitUntil } from '../../support/time';

// A redis-server of this file's own: stopping or pausing it leaves the shared one alone.
let redis: PrivateRedis;
let ctx: TestContext;
let instance: LimitedInstance;
let buyer: Principal;
const registry = new Registry();
const warnings: string[] = [];
const TIMEOUT_MS = 250;

beforeAll(async () => {
  redis = await PrivateRedis.start();
  ctx = await openContext({ RATE_LIMIT_PER_SECOND: '0' });
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write: (chunk: Buffer, _enc, done) => {
        warnings.push(chunk.toString());
        done();
      },
    }),
  );
  instance = await startLimited(
    ctx,
    {
      perSecond: 100,
      burst: 100,
      keyPrefix: `rl-${randomUUID()}:`,
      timeoutMs: TIMEOUT_MS,
      // Longer than this file runs: exactly one warning is expected, however slow the machine.
      warnEveryMs: 600_000,
      logger,
      metrics: createRateLimitMetrics(registry),
    },
    redis.url,
  );
  buyer = await principal(ctx.config, 'buyer');
});

afterAll(async () => {
  await instance.close();
  await ctx.close();
  await redis.stop();
});

async function decisions(): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('rate_limit_decisions_total')?.get();
  return Object.fromEntries((metric?.values ?? []).map((v) => [String(v.labels.outcome), v.value]));
}

async function timedGet(): Promise<{ status: number; limited: boolean; ms: number }> {
  const started = performance.now();
  const res = await fetch(`${instance.url}/v1/orders?limit=1`, { headers: buyer.auth });
  await res.arrayBuffer();
  return {
    status: res.status,
    limited: res.headers.has('ratelimit'),
    ms: performance.now() - started,
  };
}

describe('rate limiter when Redis fails', () => {
  it('when Redis answers, then requests are counted and the key lives as long as the debt', async () => {
    const control = new Redis(redis.port, '127.0.0.1');
    try {
      // The script is sent again after a flush (ioredis falls back from EVALSHA on NOSCRIPT).
      await control.call('SCRIPT', 'FLUSH');
      expect(await timedGet()).toMatchObject({ status: 200, limited: true });
      // One unit at 100/s is owed for 10 ms: the key expires when the bucket is full again
      // (-2: already gone; never -1, a key without expiry).
      const ttl = await control.pttl(instance.limiter.keyOf(`buyer:${buyer.id}`));
      expect(ttl === -2 || (ttl > 0 && ttl <= 10)).toBe(true);
    } finally {
      control.disconnect();
    }
    expect((await decisions()).allowed).toBe(1);
  });

  it('when Redis stalls (CLIENT PAUSE), then the request is served after the deadline, unlimited', async () => {
    const control = new Redis(redis.port, '127.0.0.1');
    try {
      // Every command of every client waits 2 s (CLIENT UNPAUSE too, so it simply runs out).
      await control.call('CLIENT', 'PAUSE', '2000', 'ALL');
      const stalled = await timedGet();
      expect(stalled).toMatchObject({ status: 200, limited: false });
      // Bounded by the deadline (plus the request's own work), not by the 2 s stall.
      expect(stalled.ms).toBeGreaterThanOrEqual(TIMEOUT_MS);
      expect(stalled.ms).toBeLessThan(TIMEOUT_MS + 1000);
      // Within the cool-down the limiter does not wait for Redis again.
      const next = await timedGet();
      expect(next).toMatchObject({ status: 200, limited: false });
      expect(next.ms).toBeLessThan(TIMEOUT_MS);
    } finally {
      control.disconnect();
    }
    expect((await decisions()).failed_open).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('rate limiter cannot reach Redis');
  });

  it('when Redis is stopped, then requests are still served; once back, they are counted again', async () => {
    await redis.stop();
    await waitUntil(() => instance.redis.status !== 'ready', 5000, 'the client to see Redis gone');
    for (let i = 0; i < 5; i += 1) {
      expect(await timedGet()).toMatchObject({ status: 200, limited: false });
    }
    expect((await decisions()).failed_open).toBe(7);
    // Still the one warning: they are spaced by warnEveryMs however many requests fail open.
    expect(warnings).toHaveLength(1);

    await redis.start();
    await waitUntil(
      async () => (await timedGet()).limited,
      10_000,
      'the limiter to count requests again',
    );
  });
});
