import type { Knex } from 'knex';

export interface GiftRow {
  productId: string;
  sku: string;
  quantity: number;
}

/**
 * Issues an order's gifts in the caller's transaction: for each gift product of its
 * items, one unit per unit bought, taken from the gift product's stock as far as it
 * goes (never below 0). Gift product rows are locked in id order, as placement and
 * release lock products, so no two statements wait on each other in a cycle.
 * An order that already has gifts gets none (a second run issues nothing; two at once
 * meet on the primary key and one rolls back).
 * @returns the gifts issued (none when no item has a gift or no gift stock is left).
 */
export async function issueGifts(trx: Knex, orderId: string): Promise<GiftRow[]> {
  const result = await trx.raw<{ rows: GiftRow[] }>(
    `with wanted as (
       select p.gift_product_id as id, sum(i.quantity)::int as quantity
       from order_items i join products p on p.id = i.product_id
       where i.order_id = ? and p.gift_product_id is not null
         and not exists (select 1 from order_gifts o where o.order_id = i.order_id)
       group by p.gift_product_id
     ), locked as (
       select g.id, g.sku, least(g.stock, w.quantity) as quantity
       from products g join wanted w on w.id = g.id order by g.id for update of g
     ), taken as (
       update products g set stock = g.stock - l.quantity, updated_at = now()
       from locked l where g.id = l.id and l.quantity > 0
       returning g.id, l.sku, l.quantity
     )
     insert into order_gifts (order_id, product_id, sku, quantity)
     select ?, id, sku, quantity from taken
     returning product_id as "productId", sku, quantity`,
    [orderId, orderId],
  );
  return result.rows;
}
