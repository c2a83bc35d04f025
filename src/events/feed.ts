import type { Db } from '../db/knex';
import { readFeed, type FeedRow } from '../db/event-feed.repo';
import { AppError } from '../errors';
import type { Actor } from '../orders/policy';
import { eventView } from '../orders/view';
import { START, formatPosition, parsePosition, type Position } from './position';

/** An event as the feed, the live stream, webhooks and consumers show it. */
export function feedEventView(row: FeedRow) {
  return { id: row.position, orderId: row.order_id, ...eventView(row) };
}

export type FeedEvent = ReturnType<typeof feedEventView>;

const TAG = 'e:';

/** The feed's cursors: the place of the last event read, opaque to clients. */
export const feedCursor = {
  encode: (p: Position | string): string =>
    Buffer.from(TAG + (typeof p === 'string' ? p : formatPosition(p))).toString('base64url'),
  /** @returns the place, or undefined when the cursor was not made by `encode`. */
  decode: (cursor: string): Position | undefined => {
    const text = Buffer.from(cursor, 'base64url').toString();
    return text.startsWith(TAG) ? parsePosition(text.slice(TAG.length)) : undefined;
  },
};

/** Who reads which events: a merchant those of its orders, an admin all. */
export function feedScope(actor: Actor): { merchantId?: string } {
  if (actor.role === 'admin') return {};
  if (actor.role === 'merchant') return { merchantId: actor.id };
  throw new AppError('forbidden', 'The events feed is for merchants and admins.');
}

/**
 * One page of the feed after `after`, oldest first. `nextCursor` is never null: it is the
 * place of the page's last event, or `after` itself when nothing newer has committed, so
 * a reader polls it again for what commits later.
 */
export async function listFeed(db: Db, actor: Actor, q: { after?: Position; limit: number }) {
  const after = q.after ?? START;
  const rows = await readFeed(db, { after, limit: q.limit, ...feedScope(actor) });
  const last = rows[rows.length - 1];
  return {
    events: rows.map(feedEventView),
    nextCursor: feedCursor.encode(last ? last.position : after),
  };
}
