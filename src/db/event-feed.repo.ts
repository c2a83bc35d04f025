import type { Knex } from 'knex';
import type { Position } from '../events/position';
import type { EventRow } from './events.repo';

/** An `order_events` row as the feed reads it: with its order, merchant and place. */
export interface FeedRow extends EventRow {
  /** `<txid>-<id>`: the event's global id and place in the feed. */
  position: string;
  order_id: string;
  merchant_id: string;
  /** Seconds between the event's `at` and this read, on the database's clock. */
  age_seconds: number;
}

export interface FeedQuery {
  after: Position;
  limit: number;
  /** Only events of this merchant's orders. */
  merchantId?: string;
}

/**
 * Committed events after `after`, in feed order (txid, id). Only transactions older than
 * the oldest one still running are read (`txid < pg_snapshot_xmin`): every transaction
 * below that horizon has ended, so no event can ever appear later at a place a reader
 * has passed. Rows of rolled-back transactions are never visible. The price: the feed
 * runs behind the longest transaction open on the server (docs/events.md).
 */
export async function readFeed(db: Knex, q: FeedQuery): Promise<FeedRow[]> {
  const merchant = q.merchantId === undefined ? '' : 'and o.merchant_id = ?';
  const result = await db.raw<{ rows: FeedRow[] }>(
    `select e.txid::text || '-' || e.id::text as position, e.order_id, o.merchant_id, e.seq,
       e.type, e.from_status, e.to_status, e.version, e.actor_role, e.actor_id, e.data, e.at,
       extract(epoch from clock_timestamp() - e.at)::float8 as age_seconds
     from order_events e join orders o on o.id = e.order_id
     where (e.txid, e.id) > (?::text::xid8, ?::bigint)
       and e.txid < pg_snapshot_xmin(pg_current_snapshot()) ${merchant}
     order by e.txid, e.id limit ?`,
    [
      q.after.txid.toString(),
      q.after.id.toString(),
      ...(q.merchantId === undefined ? [] : [q.merchantId]),
      q.limit,
    ],
  );
  return result.rows;
}

/** The place of the last committed event in the feed (the start when there is none). */
export async function feedHead(db: Knex): Promise<string | undefined> {
  const result = await db.raw<{ rows: { position: string }[] }>(
    `select e.txid::text || '-' || e.id::text as position from order_events e
     where e.txid < pg_snapshot_xmin(pg_current_snapshot())
     order by e.txid desc, e.id desc limit 1`,
  );
  return result.rows[0]?.position;
}
