import path from 'node:path';
import knex from 'knex';
import knexConfig from '../knexfile';
import { privateRedisControl, sharedRedisControl, type RedisControl } from './faults/redis-control';
import type { HarnessOptions } from './options';
import { PrivateRedis } from './procs/redis';
import { note } from './progress';

/** The Redis the instances use, and how the redis-restart fault may restart it. */
export async function chooseRedis(
  options: HarnessOptions,
  own: (r: PrivateRedis) => void,
): Promise<RedisControl | undefined> {
  if (!options.faults.includes('redis-restart')) return undefined;
  if (options.redisUrl !== undefined && options.allowRestartShared)
    return sharedRedisControl(options.redisUrl);
  if (options.redisUrl !== undefined) {
    note(
      !options.quiet,
      `redis-restart never touches ${options.redisUrl} without --allow-restart-shared: using a private redis-server`,
    );
  }
  const redis = await PrivateRedis.start();
  own(redis);
  return privateRedisControl(redis);
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
    // Off: a few principals drive the whole workload; throttling them would change what is checked.
    RATE_LIMIT_PER_SECOND: '0',
  };
}

/** Applies the project's migrations (idempotent), with knexfile.ts's settings. */
export async function migrate(options: HarnessOptions): Promise<void> {
  const db = knex({
    ...knexConfig,
    connection: options.databaseUrl,
    migrations: { ...knexConfig.migrations, directory: path.join(options.root, 'migrations') },
  });
  try {
    await db.migrate.latest();
  } finally {
    await db.destroy();
  }
}

export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
