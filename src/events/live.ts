import type { Response } from 'express';
import type { Db } from '../db/knex';
import { feedHead, readFeed } from '../db/event-feed.repo';
import { feedEventView } from './feed';
import { START, parsePosition, type Position } from './position';
import { sleep } from './sleep';

export interface LiveOptions {
  /** How often an idle stream looks for new events (ms). */
  pollMs: number;
  /** A comment line this often keeps proxies from closing an idle stream (ms). */
  keepAliveMs: number;
}

/** Where a live stream starts: after `Last-Event-ID`, else at the feed's current end. */
export async function liveStart(db: Db, lastEventId: string | undefined): Promise<Position> {
  if (lastEventId !== undefined) return parsePosition(lastEventId) ?? START;
  return parsePosition((await feedHead(db)) ?? '') ?? START;
}

/**
 * Writes the feed after `after` to `res` as server-sent events until the client goes
 * away: each event's SSE `id` is its feed place, so a client reconnecting with
 * `Last-Event-ID` goes on without a gap or a repeat. A failure ends the response (the
 * client reconnects).
 */
export async function streamFeed(
  db: Db,
  res: Response,
  scope: { merchantId?: string },
  after: Position,
  o: LiveOptions,
): Promise<void> {
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
  });
  res.write(': events\n\n');
  let at = after;
  let quietSince = Date.now();
  try {
    while (!gone.signal.aborted) {
      const rows = await readFeed(db, { after: at, limit: 500, ...scope });
      for (const row of rows) {
        res.write(`id: ${row.position}\ndata: ${JSON.stringify(feedEventView(row))}\n\n`);
        at = parsePosition(row.position) ?? at;
      }
      if (rows.length > 0) quietSince = Date.now();
      else {
        if (Date.now() - quietSince >= o.keepAliveMs) {
          res.write(': keep-alive\n\n');
          quietSince = Date.now();
        }
        await sleep(o.pollMs, gone.signal);
      }
    }
  } finally {
    res.end();
  }
}
