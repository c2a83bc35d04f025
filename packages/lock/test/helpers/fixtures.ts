import { randomUUID } from 'node:crypto';
import Redis, { Cluster } from 'ioredis';
import { isCluster, lockKey, type RedisClient } from '../../src';

/** A lock key no other test (or test file) uses. */
export function uniqueLockKey(label = 'test'): string {
  return lockKey(`${label}-${randomUUID()}`, '1');
}

/**
 * A connection as the package asks for (see README): no offline queue, one try per
 * command, a deadline on every command; ready to use.
 */
export async function readyRedis(url: string, name = 'jest-lock'): Promise<Redis> {
  const redis = new Redis(url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1000),
  });
  redis.on('error', () => undefined);
  if (redis.status !== 'ready') {
    await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  }
  return redis;
}

/**
 * With REDIS_CLUSTER_NODES set (`host:port,...`), a Cluster client on those seeds with
 * the same settings per node; otherwise {@link readyRedis} on `url`. Ready to use.
 */
export async function readyClient(url: string, name = 'jest-lock'): Promise<RedisClient> {
  const seeds = process.env.REDIS_CLUSTER_NODES;
  if (!seeds) return readyRedis(url, name);
  const cluster = new Cluster(
    seeds.split(',').map((seed) => {
      const [host = '', port = ''] = seed.split(':');
      return { host, port: Number(port) };
    }),
    {
      enableOfflineQueue: false,
      redisOptions: {
        connectionName: name,
        maxRetriesPerRequest: 1,
        commandTimeout: 1000,
        connectTimeout: 2000,
      },
    },
  );
  cluster.on('error', () => undefined);
  await new Promise<void>((resolve) => cluster.once('ready', () => resolve()));
  return cluster;
}

/** Subscribers of each sharded channel, summed over every primary of a cluster. */
export async function shardSubscribers(redis: RedisClient, channels: string[]): Promise<number[]> {
  const nodes = isCluster(redis) ? redis.nodes('master') : [redis];
  const replies = await Promise.all(nodes.map((node) => node.pubsub('SHARDNUMSUB', ...channels)));
  return channels.map((_, i) => replies.reduce((sum, reply) => sum + Number(reply[2 * i + 1]), 0));
}

/** A promise and its resolve, for "the routine has started" style hand-shakes. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Rejection of `promise`, or a failure when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
