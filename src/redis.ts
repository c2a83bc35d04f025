import Redis from 'ioredis';
import type { Config } from './config';

/**
 * A Redis connection that fails fast while Redis is unreachable (no offline queue, one
 * try per command) and reconnects by itself, backing off to at most 1 s between tries.
 */
export function createRedis(config: Pick<Config, 'REDIS_URL'>, name = 'order-coordinator'): Redis {
  return new Redis(config.REDIS_URL, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1000),
  });
}
