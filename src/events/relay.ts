import type { RedisClient } from '../redis';
import type { Db } from '../db/knex';
import { readFeed } from '../db/event-feed.repo';
import { loadRelay, savePosition } from '../db/event-relays.repo';
import { startJob, type Job } from '../jobs/job';
import { withDeadline, type LockManager } from '@order-coordinator/lock';
import type { Logger } from '../logger';
import { feedEventView } from './feed';
import { noEventMetrics, type EventMetrics } from './metrics';
import { START, comparePositions, formatPosition, parsePosition, type Position } from './position';
import { defineEventScripts } from './scripts';
import { sleep } from './sleep';
import { trimStream } from './trim';

/** The relay's job name for `stream` (one relay per stream; braces would change the lock's hash tag). */
export const relayJobName = (stream: string): string =>
  `events-relay:${stream.replace(/[{}]/g, '')}`;

export interface RelayDeps {
  db: Db;
  redis: RedisClient;
  locks: LockManager;
  logger: Logger;
  /** The stream's key. */
  stream: string;
  metrics?: EventMetrics;
  /** How often an idle relay looks for new events (ms). */
  pollMs: number;
  /** Lease of the relay's job lock: a dead relay's successor starts within about this. */
  lockTtlMs: number;
  /** Deadline of one Redis round trip (ms). */
  timeoutMs: number;
  /** Events per XADD batch. */
  batch?: number;
  /** How often an idle relay trims what every group acknowledged (ms). */
  trimEveryMs?: number;
  /** Test hook: runs after a batch is on the stream and before its place is recorded. */
  afterPublish?: (signal: AbortSignal) => Promise<void>;
}

const max = (a: Position, b: Position) => (comparePositions(a, b) >= 0 ? a : b);

/**
 * One relay run: reads the feed after the recorded place, appends it to the stream
 * with `publish.lua` (entry id = the event's place, so an entry already there is
 * skipped: a restarted relay never publishes twice), then records the new place. Runs
 * until `signal` fires (the job lock was lost or the job stops).
 */
async function relay(deps: RelayDeps, signal: AbortSignal): Promise<number> {
  const { db, redis, stream, logger } = deps;
  const metrics = deps.metrics ?? noEventMetrics;
  defineEventScripts(redis);
  let from = parsePosition((await loadRelay(db, stream)).position) ?? START;
  /** Where the stream should be: behind it means it lost its tail. */
  let expect = from;
  let published = 0;
  let trimmedAt = Date.now();
  while (!signal.aborted) {
    const readAt = Date.now();
    const rows = await readFeed(db, { after: from, limit: deps.batch ?? 500 });
    if (rows.length === 0) {
      if (Date.now() - trimmedAt >= (deps.trimEveryMs ?? 10_000)) {
        trimmedAt = Date.now();
        await trimStream(deps);
      }
      await sleep(deps.pollMs, signal);
      continue;
    }
    const entries = rows.flatMap((r) => [r.position, JSON.stringify(feedEventView(r))]);
    const [sent, skipped, last] = await withDeadline(
      redis.eventsPublish(stream, formatPosition(expect), ...entries),
      deps.timeoutMs,
      'publishing events',
      signal,
    );
    if (sent < 0) {
      // The stream lost data it had: refill from what it still holds, or from the place
      // up to which every group had acknowledged it before the last trim.
      const trimmed = parsePosition((await loadRelay(db, stream)).trimmedThrough) ?? START;
      expect = parsePosition(last) ?? START;
      from = max(expect, trimmed);
      metrics.refilled();
      logger.warn({ stream, streamAt: last, from: formatPosition(from) }, 'refilling the stream');
      continue;
    }
    const lag = (Date.now() - readAt) / 1000;
    rows.forEach((r, i) => metrics.published(r.age_seconds + lag, i < skipped));
    await deps.afterPublish?.(signal);
    const end = rows[rows.length - 1]?.position ?? formatPosition(from);
    await savePosition(db, stream, end);
    from = expect = parsePosition(end) ?? from;
    published += sent;
  }
  return published;
}

/**
 * The event relay: every instance runs the timer, a job lock makes one relay at a time
 * (a run holds the lock until it stops; when its instance dies, another takes over
 * within `lockTtlMs` plus `intervalMs`). Two relays at once (a lapsed lock) publish the
 * same ids, and the stream keeps one copy of each.
 */
export function startRelay(deps: RelayDeps, intervalMs: number): Job {
  return startJob({
    name: relayJobName(deps.stream),
    intervalMs,
    lockTtlMs: deps.lockTtlMs,
    locks: deps.locks,
    logger: deps.logger,
    pass: (signal) => relay(deps, signal),
  });
}
