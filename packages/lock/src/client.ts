import type { Cluster, Redis } from 'ioredis';

/**
 * What the lock runs on: one Redis server, or a Redis Cluster. Every key of one lock
 * shares a hash tag (one slot), and wake-ups use sharded pub/sub, so both behave alike.
 */
export type RedisClient = Redis | Cluster;

/** True when `redis` is an ioredis Cluster client. */
export function isCluster(redis: RedisClient): redis is Cluster {
  return redis.isCluster;
}
