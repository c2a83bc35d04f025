import {
  privateRedisControl,
  sharedRedisControl,
  type RedisControl,
  type RedisTarget,
} from './faults/redis-control';
import { REDIS_FAULTS } from './faults/types';
import type { HarnessOptions } from './options';
import { PrivateRedis } from './procs/redis';
import { PrivateCluster } from './procs/redis-cluster';
import { RedisProxy } from './procs/redis-proxy';
import { redact } from '../support/urls';

/** The run's events stream (one hash tag: its keys live together on a cluster). */
export const eventsStreamOf = (runId: string): string => `events:{h-${runId}}`;

/** The instances' webhook time-out: a hanging receiver holds its answer longer than that. */
export const WEBHOOK_TIMEOUT_MS = 1500;

/** The Redis the instances use, what the Redis faults may do to it, and its clean-up. */
export interface RedisChoice {
  /** REDIS_URL of the instances (on a cluster: one node's, unused by them). */
  url: string;
  /** Where the harness reads what the instances keep in Redis. */
  target: RedisTarget;
  /** The private cluster (--redis-cluster); the instances get its seeds in REDIS_CLUSTER_NODES. */
  cluster?: PrivateCluster;
  /** For the report, e.g. `private redis-server on 127.0.0.1:1234`. */
  description: string;
  control: RedisControl | undefined;
  /** Stops what the harness started for it (server, proxy); nothing for a shared Redis. */
  stop: () => Promise<void>;
}

/**
 * A private redis-server when asked (--private-redis) or when a Redis fault runs (it
 * stops, freezes or cuts connections of the server, which other test files share);
 * --allow-restart-shared lets those faults act on --redis-url instead. With
 * subscriber-cut the instances reach the private server through a proxy that can make
 * their subscriber connections half-open. With --redis-cluster a private Redis Cluster
 * (six nodes of the harness's own, see procs/redis-cluster.ts) instead.
 */
export async function chooseRedis(options: HarnessOptions): Promise<RedisChoice> {
  const faulted = options.faults.some((f) => REDIS_FAULTS.includes(f));
  const nothing = () => Promise.resolve();
  const shared = (control: RedisControl | undefined): RedisChoice => ({
    url: options.redisUrl,
    target: options.redisUrl,
    description: `shared Redis ${redact(options.redisUrl)}`,
    control,
    stop: nothing,
  });
  if (options.redisCluster) {
    const cluster = await PrivateCluster.start();
    const seeds = cluster.nodes.map((n) => n.address);
    return {
      url: `redis://${seeds[0] ?? ''}/0`,
      target: { clusterNodes: seeds },
      cluster,
      description: cluster.describe(),
      control: undefined,
      stop: () => cluster.stop(),
    };
  }
  if (faulted && options.allowRestartShared) return shared(sharedRedisControl(options.redisUrl));
  if (!faulted && !options.privateRedis) return shared(undefined);
  const redis = await PrivateRedis.start();
  const proxy = options.faults.includes('subscriber-cut')
    ? await RedisProxy.start(redis.port)
    : undefined;
  return {
    url: proxy?.url ?? redis.url,
    target: proxy?.url ?? redis.url,
    description: `private redis-server on 127.0.0.1:${redis.port}${proxy ? ` behind a proxy on :${proxy.port}` : ''}`,
    control: privateRedisControl(redis, proxy),
    stop: async () => {
      await proxy?.close();
      await redis.stop();
    },
  };
}

/**
 * The instances' environment. The events stream is the run's own (`events:{h-<run>}`):
 * its relay's job lock and consumer groups are named after it, so on a shared Redis
 * another database's instances never run this run's relay. Webhook retries are short
 * (0.2 s doubling to 2 s, a 1.5 s timeout) so that a failing receiver catches up
 * within seconds, and a dead consumer's entries are claimed after 1.5 s.
 */
export function instanceEnv(
  options: HarnessOptions,
  redis: Pick<RedisChoice, 'url' | 'cluster'>,
  secret: string,
  runId: string,
): Record<string, string> {
  return {
    // On the harness's cluster every use of Redis goes there (REDIS_URL is then unused).
    ...(redis.cluster ? { REDIS_CLUSTER_NODES: redis.cluster.seeds } : {}),
    EVENTS_STREAM: eventsStreamOf(runId),
    CONSUMER_CLAIM_IDLE_MS: '1500',
    WEBHOOK_TIMEOUT_MS: String(WEBHOOK_TIMEOUT_MS),
    WEBHOOK_RETRY_BASE_MS: '200',
    WEBHOOK_RETRY_MAX_MS: '2000',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: redis.url,
    AUTH_JWT_SECRET: secret,
    LOG_LEVEL: 'warn',
    LOCK_TTL_MS: String(options.lockTtlMs),
    LOCK_WAIT_MS: String(options.lockWaitMs),
    PAYMENT_TTL_SECONDS: String(options.paymentTtlSeconds),
    SWEEP_INTERVAL_MS: String(options.sweepIntervalMs),
    // The gates' reconciler every second (2 s by default): a unit stranded by a process
    // killed between gate and database comes back within the 1.5 s in-flight horizon +
    // one period, well inside the 5 s the sell-again check allows, also on a loaded machine.
    GATE_RECONCILE_INTERVAL_MS: '1000',
    SHUTDOWN_TIMEOUT_MS: '5000',
    DB_POOL_MAX: '8',
    TEST_FAULTS: 'true',
    TEST_DISABLE_VERSION_CHECK: String(options.disableVersionCheck),
    // Off: a few principals drive the whole workload; throttling them would change what is checked.
    RATE_LIMIT_PER_SECOND: '0',
  };
}
