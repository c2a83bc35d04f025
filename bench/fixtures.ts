import { randomUUID } from 'node:crypto';
import { createProduct } from '../src/catalog/create-product';
import type { Config } from '../src/config';
import type { Db } from '../src/db/knex';
import { createOrder } from '../src/orders/create-order';
import type { Actor } from '../src/orders/policy';

/** The bench's own merchant and buyer (random ids) and a few products with ample stock. */
export interface World {
  merchant: Actor;
  buyer: Actor;
  productIds: string[];
  /** Creates `count` new orders (pending_payment, one item each); returns their ids. */
  orders: (count: number) => Promise<string[]>;
}

/** Orders are created this many at a time (each product row is locked while reserving). */
const BATCH = 8;

/**
 * Makes the run's merchant, buyer and products through the service's own use cases, in
 * whatever database `db` is; ids are random, so runs never collide and nothing is deleted.
 */
export async function makeWorld(db: Db, config: Pick<Config, 'PAYMENT_TTL_SECONDS'>) {
  const run = randomUUID().slice(0, 8);
  const merchant: Actor = { role: 'merchant', id: `bench-m-${run}` };
  const buyer: Actor = { role: 'buyer', id: `bench-b-${run}` };
  const productIds: string[] = [];
  for (let i = 0; i < BATCH; i++) {
    const created = await createProduct(db, {
      merchantId: merchant.id,
      sku: `bench-${run}-${i}`,
      name: `Bench product ${i}`,
      priceCents: 1000,
      currency: 'EUR',
      stock: 1_000_000,
    });
    productIds.push(created.id);
  }
  const orders = async (count: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let start = 0; start < count; start += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, count - start) }, async (_, i) => {
        const productId = productIds[i % productIds.length] ?? '';
        const order = await createOrder(
          { db, config },
          { actor: buyer, items: [{ productId, quantity: 1 }] },
        );
        return order.id;
      });
      ids.push(...(await Promise.all(batch)));
    }
    return ids;
  };
  const world: World = { merchant, buyer, productIds, orders };
  return world;
}
