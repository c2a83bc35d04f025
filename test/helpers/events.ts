import type { RedisClient } from '@order-coordinator/lock';
import request from 'supertest';
import { readFeed } from '../../src/db/event-feed.repo';
import { START, comparePositions, parsePosition } from '../../src/events/position';
import type { Db } from '../../src/db/knex';
import { insertEvent } from '../../src/db/events.repo';
import type { ApiContext, Principal } from './api';

/** An event of the feed as the API answers it. */
export interface FeedEventBody {
  id: string;
  orderId: string;
  seq: number;
  type: string;
  version: number;
  data: Record<string, unknown>;
}

/**
 * Writes the order's next event the way a transition does (the order's version and its
 * event row in one transaction), in the caller's transaction `trx`, so that a test
 * decides when it commits. A `REPRICE` to the same total: the order stays consistent.
 */
export async function appendEvent(trx: Db, orderId: string): Promise<number> {
  const rows = await trx<{ version: number; total_cents: number; status: string }>('orders')
    .where('id', orderId)
    .increment('version', 1)
    .returning(['version', 'total_cents', 'status']);
  const row = rows[0];
  if (!row) throw new Error(`no order ${orderId}`);
  await insertEvent(trx, orderId, row.version, {
    type: 'REPRICE',
    fromStatus: 'pending_payment',
    toStatus: 'pending_payment',
    actorRole: 'merchant',
    actorId: 'test',
    data: { totalCents: row.total_cents, previousTotalCents: row.total_cents },
    at: new Date(),
  });
  return row.version;
}

/** Reads `GET /v1/events` from `cursor` to its current end; resolves with the events and where to go on. */
export async function readFeedToEnd(
  api: ApiContext,
  who: Principal,
  cursor: string | undefined,
  limit = 500,
): Promise<{ events: FeedEventBody[]; cursor: string }> {
  const events: FeedEventBody[] = [];
  let at = cursor;
  for (;;) {
    const res = await request(api.app)
      .get('/v1/events')
      .query({ limit, ...(at === undefined ? {} : { after: at }) })
      .set(who.auth);
    if (res.status !== 200) throw new Error(`feed: ${res.status} ${res.text}`);
    const page = res.body as { events: FeedEventBody[]; nextCursor: string };
    events.push(...page.events);
    at = page.nextCursor;
    if (page.events.length < limit) return { events, cursor: at };
  }
}

/**
 * Reads the feed from `cursor` until `done(all events read so far)` holds (at most
 * `timeoutMs`): the feed runs behind the oldest transaction open on the server, which on
 * a shared test server may belong to another test file.
 */
export async function readFeedUntil(
  api: ApiContext,
  who: Principal,
  cursor: string | undefined,
  done: (events: FeedEventBody[]) => boolean,
  timeoutMs = 15_000,
): Promise<{ events: FeedEventBody[]; cursor: string }> {
  const deadline = Date.now() + timeoutMs;
  const events: FeedEventBody[] = [];
  let at = cursor;
  for (;;) {
    const page = await readFeedToEnd(api, who, at);
    events.push(...page.events);
    at = page.cursor;
    if (done(events) || Date.now() > deadline) return { events, cursor: at };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every entry of `stream`: its id and the event it carries. */
export async function streamEntries(
  redis: RedisClient,
  stream: string,
): Promise<{ entryId: string; event: FeedEventBody }[]> {
  const entries = await redis.xrange(stream, '-', '+');
  return entries.map(([entryId, fields]) => ({
    entryId,
    event: JSON.parse(fields[1] ?? '{}') as FeedEventBody,
  }));
}

/** Feed places after `after` up to `through` (inclusive), as the feed orders them. */
export async function feedPlaces(db: Db, after: string, through: string): Promise<string[]> {
  const places: string[] = [];
  let at = parsePosition(after) ?? START;
  const end = parsePosition(through) ?? START;
  for (;;) {
    const rows = await readFeed(db, { after: at, limit: 1000 });
    for (const row of rows) {
      const p = parsePosition(row.position) ?? START;
      if (comparePositions(p, end) > 0) return places;
      places.push(row.position);
      at = p;
    }
    if (rows.length < 1000) return places;
  }
}
