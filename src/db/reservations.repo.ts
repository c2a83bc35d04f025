import type { Knex } from 'knex';

/** Why a reservation took nothing (the caller rolls its transaction back). */
export type ReservationRefusal =
  | { reason: 'out_of_stock'; productId: string }
  | { reason: 'sale_not_started'; productId: string; saleStartsAt: Date }
  | { reason: 'purchase_limit_exceeded'; productId: string; limit: number; held: number };

/**
 * Takes `quantity` units of each product for `buyerId`, all or none, in product-id order
 * so that two orders (and a cancel, which locks the same rows in the same order) never
 * wait on each other in a cycle. For each product, one conditional update takes the
 * stock only if enough is left and the sale has started (`now()`, the transaction's
 * start on the database clock, the order's `createdAt`); for a product with a
 * `per_buyer_limit`, a conditional upsert of the buyer's holding follows while the
 * product row is still locked. Products without a limit cost one statement, as before.
 * @returns why a product could not be reserved, else undefined. Whatever it returns,
 * rows may have been changed: on a refusal the caller must roll back.
 */
export async function reserveStock(
  trx: Knex.Transaction,
  buyerId: string,
  wanted: ReadonlyMap<string, number>,
): Promise<ReservationRefusal | undefined> {
  for (const productId of [...wanted.keys()].sort()) {
    const quantity = wanted.get(productId) ?? 0;
    const taken = await take(trx, productId, quantity);
    if ('reason' in taken) return taken;
    if (taken.limit === null) continue;
    const refusal = await hold(trx, buyerId, productId, quantity, taken.limit);
    if (refusal) return refusal;
  }
  return undefined;
}

/**
 * One statement: takes the stock if enough is left and the sale has started; when it
 * did not, says why in the same round trip (in a flash sale most orders are refused).
 * The lookup runs only then: an uncorrelated sub-select under a CASE is evaluated on
 * first use. `sale_starts_at` never changes, so the statement's snapshot is enough.
 */
async function take(
  trx: Knex.Transaction,
  productId: string,
  quantity: number,
): Promise<{ limit: number | null } | ReservationRefusal> {
  const { rows } = await trx.raw<{
    rows: { taken: boolean; per_buyer_limit: number | null; not_before: Date | null }[];
  }>(
    `with taken as (
       update products set stock = stock - ?, updated_at = now()
       where id = ? and stock >= ? and (sale_starts_at is null or sale_starts_at <= now())
       returning per_buyer_limit
     )
     select exists (select 1 from taken) as taken,
       (select per_buyer_limit from taken) as per_buyer_limit,
       case when not exists (select 1 from taken) then
         (select sale_starts_at from products where id = ? and sale_starts_at > now())
       end as not_before`,
    [quantity, productId, quantity, productId],
  );
  const row = rows[0];
  if (row?.taken) return { limit: row.per_buyer_limit };
  return row?.not_before
    ? { reason: 'sale_not_started', productId, saleStartsAt: row.not_before }
    : { reason: 'out_of_stock', productId };
}

/**
 * Adds `quantity` to the buyer's holding of the product if it stays within `limit`. The
 * upsert locks the holding row and re-reads it after a concurrent writer commits, so two
 * orders of one buyer on two instances cannot both pass on the same old count.
 */
async function hold(
  trx: Knex.Transaction,
  buyerId: string,
  productId: string,
  quantity: number,
  limit: number,
): Promise<ReservationRefusal | undefined> {
  const { rows } = await trx.raw<{ rows: { held: number }[] }>(
    `insert into buyer_holdings as b (buyer_id, product_id, held)
     select ?::varchar, ?::uuid, ?::int where ?::int <= ?::int
     on conflict (buyer_id, product_id) do update set held = b.held + excluded.held
     where b.held + excluded.held <= ?
     returning b.held`,
    [buyerId, productId, quantity, quantity, limit, limit],
  );
  if (rows.length === 1) return undefined;
  const current = await trx.raw<{ rows: { held: number }[] }>(
    'select held from buyer_holdings where buyer_id = ? and product_id = ?',
    [buyerId, productId],
  );
  return { reason: 'purchase_limit_exceeded', productId, limit, held: current.rows[0]?.held ?? 0 };
}
