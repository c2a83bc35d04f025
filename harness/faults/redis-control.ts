import Redis from 'ioredis';
import { sleep } from '../procs/ports';
import type { PrivateRedis } from '../procs/redis';

/** Restarts the Redis the instances use. */
export interface RedisControl {
  readonly url: string;
  /** Makes Redis unavailable for about `downMs`, losing every key; a description. */
  restart(downMs: number): Promise<string>;
}

/** The harness's own redis-server: SIGKILL, wait, start again on the same port. */
export function privateRedisControl(redis: PrivateRedis): RedisControl {
  return {
    url: redis.url,
    async restart(downMs) {
      await redis.stop();
      await sleep(downMs);
      await redis.start();
      return `redis-server :${redis.port} killed, started again after ${downMs} ms`;
    },
  };
}

/**
 * A Redis the harness did not start (only with --allow-restart-shared): it cannot be
 * stopped and started, so a restart is imitated: the database's keys and the scripts
 * are dropped (as a restart without persistence would), every other client is
 * disconnected, and all clients are paused for `downMs`.
 */
export function sharedRedisControl(url: string): RedisControl {
  return {
    url,
    async restart(downMs) {
      const admin = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: true });
      admin.on('error', () => undefined);
      try {
        await admin.connect();
        await admin.flushdb();
        await admin.script('FLUSH');
        await admin.client('KILL', 'TYPE', 'normal', 'SKIPME', 'yes');
        await admin.client('PAUSE', downMs, 'ALL');
      } finally {
        admin.disconnect();
      }
      await sleep(downMs);
      return `shared Redis ${url}: keys and scripts flushed, clients killed, paused ${downMs} ms`;
    },
  };
}
