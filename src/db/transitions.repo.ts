import type { Knex } from 'knex';
import type { OrderStatus } from '../../machines';

export interface TransitionWrite {
  orderId: string;
  /** The version the decision was made on; the write applies only if it is still current. */
  readVersion: number;
  fromStatus: OrderStatus;
  toStatus: OrderStatus;
  totalCents: number;
  paidCents: number | null;
  /** Give the order's reserved stock back (CANCEL, EXPIRE, REFUND). */
  releaseStock: boolean;
  machineState: unknown;
  machineVersion: string;
  event: { type: string; actorRole: string; actorId: string; data: Record<string, unknown> };
  /** The time the decision was made on (the database's clock at the read). */
  at: Date;
  /** Test-only (TEST_DISABLE_VERSION_CHECK): write without the version check. */
  skipVersionCheck?: boolean;
}

/**
 * The transition as ONE statement, hence one transaction: the conditional update of the
 * order (`where version = <read version>`), its event row (seq = version) and, when the
 * order gives its stock back, the stock change. Every part depends on the order update,
 * so when the version moved on (the lock was lost) nothing at all is written.
 * @returns the new version, or undefined when the version check matched no row.
 */
export async function writeTransition(db: Knex, w: TransitionWrite): Promise<number | undefined> {
  const next = w.skipVersionCheck
    ? // The naive write the version check exists to prevent: last writer wins.
      { version: '?', args: [w.readVersion + 1], where: 'id = ?', whereArgs: [w.orderId] }
    : {
        version: 'version + 1',
        args: [],
        where: 'id = ? and version = ?',
        whereArgs: [w.orderId, w.readVersion],
      };
  const seq = w.skipVersionCheck
    ? '(select coalesce(max(e.seq), 0) + 1 from order_events e where e.order_id = u.id)'
    : 'u.version';
  const result = await db.raw<{ rows: { version: number }[] }>(
    `with updated as (
       update orders set status = ?, total_cents = ?, paid_cents = ?, holds_stock = holds_stock and not ?,
         machine_state = ?, machine_version = ?, version = ${next.version}, updated_at = ?
       where ${next.where}
       returning id, version, holds_stock
     ), event as (
       insert into order_events (order_id, seq, type, from_status, to_status, version, actor_role, actor_id, data, at)
       select u.id, s.seq, ?, ?, ?, s.seq, ?, ?, ?, ? from updated u cross join lateral (select ${seq} as seq) s
       returning seq
     ), held as (
       select i.product_id, sum(i.quantity)::int as quantity from order_items i
       where i.order_id = ? and ? and exists (select 1 from updated)
       group by i.product_id
     ), locked as (
       -- Row locks in product-id order, the order reserveStock takes them in: two
       -- statements that touch the same products can never wait on each other in a cycle.
       select p.id from products p join held h on h.product_id = p.id order by p.id for update of p
     ), restock as (
       update products p set stock = p.stock + h.quantity, updated_at = now()
       from held h join locked l on l.id = h.product_id
       where p.id = h.product_id
       returning p.id
     )
     select version from updated`,
    [
      w.toStatus,
      w.totalCents,
      w.paidCents,
      w.releaseStock,
      JSON.stringify(w.machineState),
      w.machineVersion,
      ...next.args,
      w.at,
      ...next.whereArgs,
      w.event.type,
      w.fromStatus,
      w.toStatus,
      w.event.actorRole,
      w.event.actorId,
      JSON.stringify(w.event.data),
      w.at,
      w.orderId,
      w.releaseStock,
    ],
  );
  return result.rows[0]?.version;
}
