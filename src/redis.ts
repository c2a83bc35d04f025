import Redis, { Cluster } from 'ioredis';
import type { RedisClient } from '@order-coordinator/lock';
import type { Config } from './config';

export type { RedisClient } from '@order-coordinator/lock';

/** Deadline of one command when the caller's settings name none (REDIS_COMMAND_TIMEOUT_MS). */
const DEFAULT_COMMAND_TIMEOUT_MS = 1000;

export type RedisSettings = Pick<Config, 'REDIS_URL'> &
  Partial<Pick<Config, 'REDIS_COMMAND_TIMEOUT_MS' | 'REDIS_CLUSTER_NODES'>>;

/**
 * A Redis connection that fails fast while Redis is unreachable (no offline queue, one
 * try per command), gives every command a deadline (a stalled server or a half-open
 * socket fails the command instead of hanging it), and reconnects by itself, backing off
 * to at most 1 s between tries. With REDIS_CLUSTER_NODES set, an ioredis Cluster on
 * those seeds with the same settings per node: reads and writes go to primaries, MOVED
 * and ASK are followed, and a command that meets a failover (connection closed,
 * CLUSTERDOWN, TRYAGAIN) is retried after a slot-map refresh, 100 ms apart, at most 16
 * times; then it fails like any unavailable Redis.
 */
export function createRedis(config: RedisSettings, name = 'order-coordinator'): RedisClient {
  const node = {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: config.REDIS_COMMAND_TIMEOUT_MS ?? DEFAULT_COMMAND_TIMEOUT_MS,
    connectTimeout: 2000,
  };
  const backoff = (attempt: number): number => Math.min(50 * 2 ** attempt, 1000);
  if (config.REDIS_CLUSTER_NODES !== undefined) {
    return new Cluster(config.REDIS_CLUSTER_NODES, {
      enableOfflineQueue: false,
      scaleReads: 'master',
      clusterRetryStrategy: backoff,
      slotsRefreshTimeout: 1000,
      redisOptions: node,
    });
  }
  return new Redis(config.REDIS_URL, { ...node, retryStrategy: backoff });
}
