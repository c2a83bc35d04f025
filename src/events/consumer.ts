import type { RedisClient } from '../redis';
import { isCluster } from '@order-coordinator/lock';
import type { Knex } from 'knex';
import type { Db } from '../db/knex';
import { enterInbox } from '../db/inbox.repo';
import type { Logger } from '../logger';
import type { FeedEvent } from './feed';
import { noEventMetrics, type EventMetrics } from './metrics';
import { sleep } from './sleep';

export interface ConsumerSpec {
  /** The consumer group and the inbox's key: one effect per event for all its processes. */
  name: string;
  /** This process's name in the group. */
  consumerId: string;
  stream: string;
  db: Db;
  /** Commands; a duplicate of it does the blocking reads. */
  redis: RedisClient;
  logger: Logger;
  metrics?: EventMetrics;
  /** A pending entry idle this long (its consumer died or hangs) is claimed (ms). */
  claimIdleMs: number;
  /** How long one read waits for new entries (ms). */
  blockMs?: number;
  /** Entries per read. */
  batch?: number;
  /**
   * The effect, in the transaction that also records the event in the inbox: it runs
   * at most once per event (a throw rolls both back; the entry is tried again).
   */
  handle: (event: FeedEvent, trx: Knex.Transaction) => Promise<void>;
  /** Test hook: after the effect committed and before XACK. */
  afterCommit?: (event: FeedEvent) => Promise<void>;
}

export interface Consumer {
  /**
   * Ends the loop after the entry in hand; waits for it at most `blockMs` + 5 s (an
   * entry whose effect hangs stays pending and is claimed elsewhere).
   */
  stop: () => Promise<void>;
}

type Entry = [id: string, fields: string[]];

/**
 * The connection of the blocking XREADGROUP: a duplicate whose command time-out covers
 * the block. With the shared connection's (REDIS_COMMAND_TIMEOUT_MS, 1 s by default) an
 * idle read of 1 s timed out on the client every round: the consumer restarted each
 * time, and entries Redis handed to a read the client had given up on stayed pending
 * until XAUTOCLAIM took them over after `claimIdleMs`.
 */
function blockingReader(redis: RedisClient, blockMs: number): RedisClient {
  const base = (isCluster(redis) ? redis.options.redisOptions : redis.options)?.commandTimeout;
  const commandTimeout = blockMs + (base ?? 1000);
  if (!isCluster(redis)) return redis.duplicate({ commandTimeout });
  return redis.duplicate([], {
    redisOptions: { ...redis.options.redisOptions, commandTimeout },
  });
}

/**
 * Reads `stream` in consumer group `name`: first entries other consumers left pending
 * longer than `claimIdleMs` (XAUTOCLAIM), then new ones (XREADGROUP). Each entry's
 * effect commits together with its inbox row, then the entry is acknowledged: a
 * consumer that dies anywhere in between leaves it pending, another claims it, and the
 * inbox turns the second delivery into an acknowledgement without effect.
 */
export function startConsumer(spec: ConsumerSpec): Consumer {
  const metrics = spec.metrics ?? noEventMetrics;
  const reader = blockingReader(spec.redis, spec.blockMs ?? 1000);
  reader.on('error', () => undefined);
  let stopped = false;

  const ensureGroup = async () => {
    if (reader.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        reader.once('ready', resolve);
        setTimeout(() => reject(new Error('the blocking connection is not ready')), 5000);
      });
    }
    try {
      await spec.redis.xgroup('CREATE', spec.stream, spec.name, '0', 'MKSTREAM');
    } catch (error) {
      const groups = (await spec.redis.xinfo('GROUPS', spec.stream)) as unknown[][];
      if (!groups.some((g) => g[1] === spec.name)) throw error;
    }
  };

  const apply = async ([entryId, fields]: Entry) => {
    const event = JSON.parse(fields[1] ?? '{}') as FeedEvent;
    let applied = false;
    await spec.db.transaction(async (trx) => {
      applied = await enterInbox(trx, spec.name, event.id);
      if (applied) await spec.handle(event, trx);
    });
    metrics.consumed(spec.name, (Date.now() - Date.parse(event.at)) / 1000, !applied);
    await spec.afterCommit?.(event);
    await spec.redis.xack(spec.stream, spec.name, entryId);
  };

  const applyAll = async (entries: Entry[]) => {
    for (const entry of entries) {
      if (stopped) return;
      try {
        await apply(entry);
      } catch (error) {
        // Left pending: claimed again after claimIdleMs, by this consumer or another.
        spec.logger.warn({ err: error, consumer: spec.name, entry: entry[0] }, 'event not applied');
      }
    }
  };

  const round = async () => {
    const [, claimed] = (await spec.redis.xautoclaim(
      spec.stream,
      spec.name,
      spec.consumerId,
      spec.claimIdleMs,
      '0-0',
      'COUNT',
      spec.batch ?? 50,
    )) as [string, Entry[]];
    await applyAll(claimed.filter((e) => Array.isArray(e[1])));
    const read = (await reader.xreadgroup(
      'GROUP',
      spec.name,
      spec.consumerId,
      'COUNT',
      spec.batch ?? 50,
      'BLOCK',
      spec.blockMs ?? 1000,
      'STREAMS',
      spec.stream,
      '>',
    )) as [string, Entry[]][] | null;
    await applyAll(read?.[0]?.[1] ?? []);
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await ensureGroup();
        while (!stopped) await round();
      } catch (error) {
        // Redis down or flushed (NOGROUP): the group is made again, from the stream's start.
        if (stopped) break;
        spec.logger.warn({ err: error, consumer: spec.name }, 'consumer restarts');
        await sleep(500);
      }
    }
  })();

  return {
    stop: async () => {
      stopped = true;
      reader.disconnect();
      await Promise.race([loop, sleep((spec.blockMs ?? 1000) + 5000)]);
    },
  };
}
