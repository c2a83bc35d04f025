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
    const { rows } = await trx.raw<{ rows: { per_buyer_limit: number | null }[] }>(
      `update products set stock = stock - ?, updated_at = now()
       where id = ? and stock >= ? and (sale_starts_at is null or sale_starts_at <= now())
       returning per_buyer_limit`,
      [quantity, productId, quantity],
    );
    const taken = rows[0];
    if (!taken) return whyNot(trx, productId);
    if (taken.per_buyer_limit === null) continue;
    const refusal = await hold(trx, buyerId, productId, quantity, taken.per_buyer_limit);
    if (refusal) return refusal;
  }
  return undefined;
}

/** A product whose conditional update matched no row: not started yet, or too little stock. */
async function whyNot(trx: Knex.Transaction, productId: string): Promise<ReservationRefusal> {
  const { rows } = await trx.raw<{ rows: { sale_starts_at: Date }[] }>(
    'select sale_starts_at from products where id = ? and sale_starts_at > now()',
    [productId],
  );
  const notStarted = rows[0];
  return notStarted
    ? { reason: 'sale_not_started', productId, saleStartsAt: notStarted.sale_starts_at }
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
