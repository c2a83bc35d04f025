import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { RedisClient } from '@order-coordinator/lock';
import { createApp } from '../../src/http/app';
import { LockManager } from '@order-coordinator/lock';
import { RateLimiter, type RateLimiterOptions } from '../../src/ratelimit';
import { createRedis } from '../../src/redis';
import type { TestContext } from './context';

/** One Structured Field List member: a String with Integer parameters (RFC 9651). */
const SF_ITEM = /^"([^"\\]*)"((?:;[a-z*][a-z0-9_.*-]*=\d{1,15})*)$/;

/**
 * Parses a one-item `RateLimit` or `RateLimit-Policy` value, e.g. `"default";r=3;t=1`.
 * @throws Error when the value is not such an item.
 */
export function parseLimitItem(value: string): { name: string; params: Record<string, number> } {
  const match = SF_ITEM.exec(value);
  if (!match) throw new Error(`not a structured field item: ${value}`);
  const params = (match[2] ?? '')
    .split(';')
    .filter(Boolean)
    .map((p) => p.split('='));
  return {
    name: match[1] ?? '',
    params: Object.fromEntries(params.map(([k, v]) => [k, Number(v)])),
  };
}

/** A listening app with its own Redis connection, lock manager and limiter. */
export interface LimitedInstance {
  url: string;
  redis: RedisClient;
  limiter: RateLimiter;
  close: () => Promise<void>;
}

/**
 * Starts the real app on a free port of 127.0.0.1, like one API instance: its own Redis
 * connection (to `redisUrl`, default the context's), sharing the context's PostgreSQL.
 */
export async function startLimited(
  ctx: TestContext,
  limits: Omit<RateLimiterOptions, 'keyPrefix'> & { keyPrefix: string },
  redisUrl = ctx.config.REDIS_URL,
): Promise<LimitedInstance> {
  const redis = createRedis({ REDIS_URL: redisUrl }, `jest-rl-${randomUUID().slice(0, 6)}`);
  redis.on('error', () => undefined);
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  const locks = new LockManager(redis);
  const limiter = new RateLimiter(redis, limits);
  const app = createApp({ ...ctx, redis, locks, rateLimiter: limiter });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    redis,
    limiter,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await locks.close();
      redis.disconnect();
    },
  };
}
