import type { Knex } from 'knex';
import type { ClaimState } from './coupons.repo';
import { EVENT_COLUMNS, eventPayload, type NewEvent } from './events.repo';

export interface TransitionWrite {
  orderId: string;
  /** The version the decision was made on; the write applies only if it is still current. */
  readVersion: number;
  totalCents: number;
  paidCents: number | null;
  /** Give the reserved stock and the buyer's held units back (CANCEL, EXPIRE, REFUND). */
  releaseStock: boolean;
  /**
   * The state the order's coupon claim moves to (`redeemed` on PAY, `available` on
   * CANCEL and EXPIRE), or null when it stays as it is. An order without a coupon has no
   * claim: nothing changes then.
   */
  claimState: ClaimState | null;
  machineState: unknown;
  machineVersion: string;
  /** The event; its `at` is the time the decision was made on (the database's clock). */
  event: NewEvent;
}

/**
 * How a transition's write finds its order row and numbers its event. The production
 * guard is {@link VERSION_CHECK}; the harness's "can it see" runs swap in a guard without
 * it through the coordinator's test faults, never through a flag on this path.
 */
export interface WriteGuard {
  /** SQL for the new version, and its arguments. */
  setVersion: (w: TransitionWrite) => { sql: string; args: Knex.Value[] };
  /** SQL that selects the order row to update, and its arguments. */
  where: (w: TransitionWrite) => { sql: string; args: Knex.Value[] };
  /** SQL for the event's number, over the updated row `u`. */
  seq: string;
}

/** The optimistic version check: the update applies only to the version that was read. */
export const VERSION_CHECK: WriteGuard = {
  setVersion: () => ({ sql: 'version + 1', args: [] }),
  where: (w) => ({ sql: 'id = ? and version = ?', args: [w.orderId, w.readVersion] }),
  seq: 'u.version',
};

/**
 * The transition as ONE statement, hence one transaction: the conditional update of the
 * order (`where version = <read version>`), its event row (seq = version), when the
 * order gives its stock back, the stock change and the buyer's holdings, and the move of
 * its coupon claim, if it has one (so an order and its claim never disagree). Every part
 * depends on the order update, so when the version moved on (the lock was lost) nothing
 * at all is written.
 * @returns the new version, or undefined when the version check matched no row.
 */
export async function writeTransition(
  db: Knex,
  w: TransitionWrite,
  guard: WriteGuard = VERSION_CHECK,
): Promise<number | undefined> {
  const version = guard.setVersion(w);
  const where = guard.where(w);
  const result = await db.raw<{ rows: { version: number }[] }>(
    `with updated as (
       update orders set status = ?, total_cents = ?, paid_cents = ?, holds_stock = holds_stock and not ?,
         machine_state = ?, machine_version = ?, version = ${version.sql}, updated_at = ?
       where ${where.sql}
       returning id, version, holds_stock, buyer_id
     ), event as (
       insert into order_events (${EVENT_COLUMNS})
       select u.id, s.seq, s.seq, ?, ?, ?, ?, ?, ?, ? from updated u cross join lateral (select ${guard.seq} as seq) s
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
     ), freed as (
       -- The buyer's holding of a product with a per-buyer limit (no row for the others)
       -- shrinks with the stock it gave back: only for products already locked and
       -- restocked above, so its row lock is taken under the product's, as placement does.
       update buyer_holdings b set held = b.held - h.quantity
       from held h join restock r on r.id = h.product_id cross join updated u
       where b.buyer_id = u.buyer_id and b.product_id = h.product_id
       returning b.product_id
     ), claim as (
       -- The order's claim follows its status. It is locked after the order's product
       -- rows, as placement locks them (stock, then the claim): a release reads the
       -- restock CTE first, so its product locks are taken before the claim's.
       update coupon_claims c set state = ?::varchar,
         order_id = case when ?::varchar = 'available' then null else c.order_id end, updated_at = ?
       from updated u
       where c.order_id = u.id and ?::varchar is not null and c.state <> ?::varchar
         and (not ? or exists (select 1 from restock))
       returning c.coupon_id
     )
     select version from updated`,
    [
      w.event.toStatus,
      w.totalCents,
      w.paidCents,
      w.releaseStock,
      JSON.stringify(w.machineState),
      w.machineVersion,
      ...version.args,
      w.event.at,
      ...where.args,
      ...eventPayload(w.event),
      w.orderId,
      w.releaseStock,
      w.claimState,
      w.claimState,
      w.event.at,
      w.claimState,
      w.claimState,
      w.releaseStock,
    ],
  );
  return result.rows[0]?.version;
}
