import type { RedisClient } from '@order-coordinator/lock';
import { loadConfig, type Config } from '../src/config';
import { createDb, type Db } from '../src/db/knex';
import { createLogger, type Logger } from '../src/logger';
import { createRedis, type RedisSettings } from '../src/redis';

/** The servers and settings one bench run uses. */
export interface BenchContext {
  config: Config;
  db: Db;
  logger: Logger;
  /**
   * Opens a createRedis() connection (no offline queue) and waits until it is ready: to
   * the bench's Redis, or to what `settings` name (a cluster's seeds).
   */
  redis: (name: string, settings?: RedisSettings) => Promise<RedisClient>;
  /** Every connection `redis()` opened, closed by `close()`. */
  close: () => Promise<void>;
}

/**
 * Settings from the environment (so DB_POOL_MAX, LOCK_WAIT_MS... can be tuned as for the
 * API), with the bench's database and Redis, silent logs and a payment window long enough
 * that no bench order expires while it runs. One Redis, whatever REDIS_CLUSTER_NODES
 * says, unless `clusterNodes` is given (the cluster scenario's side).
 */
export function benchConfig(databaseUrl: string, redisUrl: string, clusterNodes?: string): Config {
  const { REDIS_CLUSTER_NODES: _ignored, ...env } = process.env;
  void _ignored;
  return loadConfig({
    ...env,
    ...(clusterNodes !== undefined ? { REDIS_CLUSTER_NODES: clusterNodes } : {}),
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    LOG_LEVEL: 'silent',
    PAYMENT_TTL_SECONDS: String(24 * 3600),
    TEST_FAULTS: 'false',
    TEST_DISABLE_VERSION_CHECK: 'false',
  });
}

export function openContext(config: Config): BenchContext {
  const connections: RedisClient[] = [];
  const db = createDb(config, 'order-bench');
  return {
    config,
    db,
    logger: createLogger(config),
    redis: async (name, settings = config) => {
      const redis = createRedis(settings, name);
      redis.on('error', () => undefined);
      connections.push(redis);
      if (redis.status !== 'ready') {
        await new Promise<void>((resolve, reject) => {
          redis.once('ready', () => resolve());
          setTimeout(() => reject(new Error(`Redis not ready after 5 s: ${name}`)), 5000).unref();
        });
      }
      return redis;
    },
    close: async () => {
      await Promise.allSettled(connections.map((r) => r.quit()));
      await db.destroy();
    },
  };
}
