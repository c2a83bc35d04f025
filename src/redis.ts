import Redis from 'ioredis';
import type { Config } from './config';

/** Deadline of one command when the caller's settings name none (REDIS_COMMAND_TIMEOUT_MS). */
const DEFAULT_COMMAND_TIMEOUT_MS = 1000;

/**
 * A Redis connection that fails fast while Redis is unreachable (no offline queue, one
 * try per command), gives every command a deadline (a stalled server or a half-open
 * socket fails the command instead of hanging it), and reconnects by itself, backing off
 * to at most 1 s between tries.
 */
export function createRedis(
  config: Pick<Config, 'REDIS_URL'> & Partial<Pick<Config, 'REDIS_COMMAND_TIMEOUT_MS'>>,
  name = 'order-coordinator',
): Redis {
  return new Redis(config.REDIS_URL, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS ?? DEFAULT_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1000),
  });
}
