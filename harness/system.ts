import { privateRedisControl, sharedRedisControl, type RedisControl } from './faults/redis-control';
import { REDIS_FAULTS } from './faults/types';
import type { HarnessOptions } from './options';
import { PrivateRedis } from './procs/redis';

/** The Redis the instances use, and what the Redis faults may do to it. */
export interface RedisChoice {
  url: string;
  control: RedisControl | undefined;
}

/**
 * A private redis-server when asked (--private-redis) or when a Redis fault runs (it
 * stops, freezes or cuts connections of the server, which other test files share);
 * --allow-restart-shared lets those faults act on --redis-url instead.
 */
export async function chooseRedis(
  options: HarnessOptions,
  own: (r: PrivateRedis) => void,
): Promise<RedisChoice> {
  const faulted = options.faults.some((f) => REDIS_FAULTS.includes(f));
  if (faulted && options.allowRestartShared) {
    return { url: options.redisUrl, control: sharedRedisControl(options.redisUrl) };
  }
  if (!faulted && !options.privateRedis) return { url: options.redisUrl, control: undefined };
  const redis = await PrivateRedis.start();
  own(redis);
  return { url: redis.url, control: privateRedisControl(redis) };
}

export function instanceEnv(
  options: HarnessOptions,
  redisUrl: string,
  secret: string,
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: redisUrl,
    AUTH_JWT_SECRET: secret,
    LOG_LEVEL: 'warn',
    LOCK_TTL_MS: String(options.lockTtlMs),
    LOCK_WAIT_MS: String(options.lockWaitMs),
    PAYMENT_TTL_SECONDS: String(options.paymentTtlSeconds),
    SWEEP_INTERVAL_MS: String(options.sweepIntervalMs),
    SHUTDOWN_TIMEOUT_MS: '5000',
    DB_POOL_MAX: '8',
    TEST_FAULTS: 'true',
    TEST_DISABLE_VERSION_CHECK: String(options.disableVersionCheck),
  };
}
