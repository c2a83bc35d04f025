import Redis, { Cluster } from 'ioredis';
import { productKeys } from '../../src/catalog/gate/keys';
import { pollUntil, sleep } from '../../support/time';
import type { PrivateRedis } from '../procs/redis';
import type { RedisProxy } from '../procs/redis-proxy';

/** What the Redis faults may do to the Redis the instances use; each returns a description. */
export interface RedisControl {
  readonly url: string;
  /** Makes Redis unavailable for about `downMs`, losing every key. */
  restart(downMs: number): Promise<string>;
  /** Redis loses every key at once and keeps running (its connections stay open). */
  flush(): Promise<string>;
  /** Redis keeps every connection open but answers nothing for `ms`, then carries on. */
  stall(ms: number): Promise<string>;
  /** Closes the subscriber (pub/sub) connections only; the clients reconnect. */
  cutSubscribers(): Promise<string>;
  /**
   * Makes the subscriber connections half-open for `ms` (nothing passes, nothing is
   * closed), then resets them; undefined where the harness has no proxy in between.
   */
  halfOpenSubscribers?: (ms: number) => Promise<string>;
}

/**
 * Where the instances' Redis is, for the harness's own reads: one server's URL, or the
 * seeds (`host:port`) of a Redis Cluster.
 */
export type RedisTarget = string | { readonly clusterNodes: readonly string[] };

/**
 * An admin connection of the harness's own, for one command sequence: a Redis on a URL,
 * or an ioredis Cluster on a cluster's seeds (each key's command goes to its slot's
 * primary, MOVED and ASK followed).
 */
export async function withAdmin<T>(
  target: RedisTarget,
  use: (admin: Redis | Cluster) => Promise<T>,
): Promise<T> {
  const admin =
    typeof target === 'string'
      ? new Redis(target, { maxRetriesPerRequest: 1, lazyConnect: true })
      : new Cluster(
          target.clusterNodes.map((seed) => {
            const [host = '', port = ''] = seed.split(':');
            return { host, port: Number(port) };
          }),
          {
            lazyConnect: true,
            scaleReads: 'master',
            slotsRefreshTimeout: 1000,
            redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 2000 },
          },
        );
  admin.on('error', () => undefined);
  try {
    await admin.connect();
    return await use(admin);
  } finally {
    admin.disconnect();
  }
}

/**
 * Waits until the stock gate shows `units` taken from the product (its state's `left`
 * at or below `stock - units`), reading the Redis at `url` every 20 ms for at most
 * `timeoutMs`: a new order's take, before its transaction. Only reads.
 * @returns whether the take was seen in time.
 */
export async function gateTakeSeen(
  target: RedisTarget,
  product: { merchantId: string; productId: string; stock: number; units: number },
  timeoutMs: number,
): Promise<boolean> {
  const { state } = productKeys(product.merchantId, product.productId);
  return withAdmin(target, (admin) =>
    pollUntil(
      async () => {
        const left = await admin.hget(state, 'left').catch(() => null);
        return left !== null && Number(left) <= product.stock - product.units;
      },
      timeoutMs,
      20,
    ),
  );
}

async function killSubscribers(url: string): Promise<string> {
  const killed = await withAdmin(url, (admin) => admin.client('KILL', 'TYPE', 'pubsub'));
  return `CLIENT KILL TYPE pubsub closed ${String(killed)} subscriber connections`;
}

/**
 * The harness's own redis-server: SIGKILL and start again, FLUSHALL, SIGSTOP and SIGCONT;
 * with a proxy in front, half-open subscriber connections too.
 */
export function privateRedisControl(redis: PrivateRedis, proxy?: RedisProxy): RedisControl {
  return {
    url: proxy?.url ?? redis.url,
    async restart(downMs) {
      await redis.stop();
      await sleep(downMs);
      await redis.start();
      return `redis-server :${redis.port} killed, started again after ${downMs} ms`;
    },
    async flush() {
      await withAdmin(redis.url, (admin) => admin.flushall());
      return `FLUSHALL on redis-server :${redis.port}`;
    },
    async stall(ms) {
      redis.freeze();
      try {
        await sleep(ms);
      } finally {
        redis.resume();
      }
      return `redis-server :${redis.port} stopped (SIGSTOP) for ${ms} ms, then SIGCONT`;
    },
    cutSubscribers: () => killSubscribers(redis.url),
    ...(proxy && {
      async halfOpenSubscribers(ms: number) {
        const silenced = proxy.blackholeSubscribers();
        await sleep(ms);
        const reset = proxy.resetBlackholed();
        return `${silenced} subscriber connections half-open for ${ms} ms, then ${reset} reset`;
      },
    }),
  };
}

/**
 * A Redis the harness did not start (only with --allow-restart-shared): it cannot be
 * stopped and started, so a restart is imitated: the database's keys and the scripts
 * are dropped (as a restart without persistence would), every other client is
 * disconnected, and all clients are paused for `downMs`. A stall is CLIENT PAUSE alone,
 * a flush FLUSHDB (never FLUSHALL: the server's other databases are not the harness's).
 */
export function sharedRedisControl(url: string): RedisControl {
  return {
    url,
    async restart(downMs) {
      await withAdmin(url, async (admin) => {
        await admin.flushdb();
        await admin.script('FLUSH');
        await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
        await admin.client('PAUSE', downMs, 'ALL');
      });
      await sleep(downMs);
      return `shared Redis ${url}: keys and scripts flushed, clients killed, paused ${downMs} ms`;
    },
    async flush() {
      // Its own database only: other databases of a shared server belong to others.
      await withAdmin(url, (admin) => admin.flushdb());
      return `FLUSHDB on shared Redis ${url}`;
    },
    async stall(ms) {
      await withAdmin(url, (admin) => admin.client('PAUSE', ms, 'ALL'));
      await sleep(ms);
      return `shared Redis ${url}: CLIENT PAUSE ALL for ${ms} ms`;
    },
    cutSubscribers: () => killSubscribers(url),
  };
}
