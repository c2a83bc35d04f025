import request from 'supertest';
import { createApp } from '../../src/http/app';
import { createRedis } from '../../src/redis';
import { freePort } from '../../support/net';
import { PrivateRedis } from '../../harness/procs/redis';
import { openContext, testConfig, type TestContext } from '../helpers/context';
import { createDb } from '../../src/db/knex';
import { waitUntil } from '../../support/time';
import { LockManager } from '@order-coordinator/lock';
import { signToken } from '../../src/http/auth';

describe('health endpoints', () => {
  let ctx: TestContext & { locks: LockManager };
  beforeAll(async () => {
    const opened = await openContext();
    ctx = { ...opened, locks: new LockManager(opened.redis) };
  });
  afterAll(async () => {
    await ctx.locks.close();
    await ctx.close();
  });

  it('when both servers answer, then /healthz and /readyz are 200 without a token', async () => {
    const app = createApp(ctx);
    await request(app).get('/healthz').expect(200, { status: 'ok' });
    const ready = await request(app).get('/readyz').expect(200);
    expect(ready.body).toEqual({ status: 'ok', checks: { redis: 'ok', postgres: 'ok' } });
  });

  it('when Redis stops, then /readyz is 503 problem+json; when it is back, 200 again', async () => {
    const redisServer = await PrivateRedis.start();
    const redis = createRedis({ REDIS_URL: redisServer.url }, 'jest-readyz');
    redis.on('error', () => undefined);
    const app = createApp({ ...ctx, redis });
    try {
      await waitUntil(() => redis.status === 'ready', 5000, 'redis connection');
      await request(app).get('/readyz').expect(200);

      await redisServer.stop();
      const down = await request(app).get('/readyz').expect(503);
      expect(down.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(down.headers['retry-after']).toBe('1');
      expect(down.body).toMatchObject({
        status: 503,
        code: 'dependency_unavailable',
        checks: { postgres: 'ok' },
      });
      expect(down.body.checks.redis).not.toBe('ok');

      await redisServer.start();
      await waitUntil(() => redis.status === 'ready', 10_000, 'redis to reconnect');
      await request(app).get('/readyz').expect(200);
    } finally {
      redis.disconnect();
      await redisServer.stop();
    }
  });

  it('when PostgreSQL does not answer, then /readyz is 503 naming it', async () => {
    const port = await freePort();
    const db = createDb(
      testConfig({ DATABASE_URL: `postgres://orders:orders@127.0.0.1:${port}/none` }),
    );
    try {
      const res = await request(createApp({ ...ctx, db }))
        .get('/readyz')
        .expect(503);
      expect(res.body.code).toBe('dependency_unavailable');
      expect(res.body.checks.redis).toBe('ok');
      expect(res.body.checks.postgres).not.toBe('ok');
      expect(res.body.detail).toContain('PostgreSQL');
    } finally {
      await db.destroy();
    }
  });

  it('when the instance is shutting down, then /readyz is 503 while /healthz stays 200', async () => {
    const app = createApp({ ...ctx, isAccepting: () => false });
    await request(app).get('/healthz').expect(200);
    const res = await request(app).get('/readyz').expect(503);
    expect(res.body.code).toBe('dependency_unavailable');
  });

  it('when a route does not exist, then 404 not_found as problem+json', async () => {
    const app = createApp(ctx);
    const res = await request(app).get('/nothing-here').expect(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 404, code: 'not_found' });
    // Under /v1 the token is checked first: no token, 401; with one, 404.
    await request(app).get('/v1/nothing-here').expect(401);
    const token = await signToken(ctx.config.AUTH_JWT_SECRET, { role: 'buyer', sub: 'b1' });
    const authed = await request(app)
      .get('/v1/nothing-here')
      .set('Authorization', `Bearer ${token}`)
      .expect(404);
    expect(authed.body.code).toBe('not_found');
  });
});
