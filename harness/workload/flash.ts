import type { Knex } from 'knex';
import type { FlashObservation } from '../types';
import { asNumber } from '../util/json';
import { placeOrder } from './requests';
import { createProduct } from './setup';
import type { World } from './world';

/**
 * A flash sale: a new product with `stock` units and `buyers` buyers ordering one unit
 * each, all at once, to random instances. Right after the last answer it reads the
 * product's stock and its orders from the database; then the orders join the workload.
 */
export async function flashSale(
  world: World,
  db: Knex,
  round: number,
  opts: { stock: number; buyers: number },
): Promise<FlashObservation> {
  const tag = `flash#${round}`;
  const product = await createProduct(
    world,
    world.rng.pick(world.merchants),
    opts.stock,
    1000,
    tag,
  );
  const results = await Promise.all(
    Array.from({ length: opts.buyers }, () =>
      placeOrder(world, world.rng.pick(world.buyers), [{ product, quantity: 1 }], {
        keyed: world.rng.chance(0.5),
        tag,
        reserved: true,
      }),
    ),
  );
  const row = await db('products')
    .where({ id: product.id })
    .first<{ stock: number; stocked: number }>('stock', 'stocked');
  const orders = await db('order_items as i')
    .join('orders as o', 'o.id', 'i.order_id')
    .where('i.product_id', product.id)
    .select<{ holds_stock: boolean; quantity: number }[]>('o.holds_stock', 'i.quantity');
  for (const r of results) if (r.order) r.order.reserved = false;
  return {
    round,
    productId: product.id,
    stocked: asNumber(row?.stocked) ?? opts.stock,
    requests: opts.buyers,
    created: results.filter((r) => r.record.outcome === 'ok').length,
    outOfStock: results.filter((r) => r.record.code === 'out_of_stock').length,
    unknown: results.filter((r) => r.record.outcome === 'unknown' || r.record.outcome === 'refused')
      .length,
    stockAfter: asNumber(row?.stock) ?? Number.NaN,
    ordersAfter: orders.length,
    quantityAfter: orders.filter((o) => o.holds_stock).reduce((s, o) => s + o.quantity, 0),
    quantityReleased: orders.filter((o) => !o.holds_stock).reduce((s, o) => s + o.quantity, 0),
    released: orders.some((o) => !o.holds_stock),
  };
}
