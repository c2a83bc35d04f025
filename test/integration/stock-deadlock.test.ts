import request from 'supertest';
import { makeOrder, makeProduct, openShop, type Shop } from '../helpers/api';
import { waitUntil } from '../../support/time';

/**
 * A cancel gives an order's stock back while an order placement takes stock of the same
 * products. Placement locks product rows in id order; the cancel must lock them in the
 * same order, or the two wait on each other and PostgreSQL aborts one (deadlock).
 *
 * Made deterministic: a placement's transaction holds the lower-id product, the cancel
 * is started and seen waiting on a row lock, then the placement takes the higher-id
 * product. With locking in id order the cancel holds nothing yet and both finish; a
 * cancel that took the higher-id row first would close the cycle.
 */
describe('a cancel and a placement on the same products', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await openShop();
  });
  afterAll(async () => shop.api.close());

  const cancelWaitsOnARowLock = async () => {
    const { rows } = await shop.api.db.raw<{ rows: unknown[] }>(
      `select 1 from pg_stat_activity
       where wait_event_type = 'Lock' and query like '%with updated as%' and datname = current_database()`,
    );
    return rows.length > 0;
  };

  it('when the cancel waits on a row the placement holds, then both finish: no deadlock, no stock leak', async () => {
    const { api, merchant, buyer } = shop;
    const a = await makeProduct(api, merchant, { stock: 10 });
    const b = await makeProduct(api, merchant, { stock: 10 });
    const [low, high] = a.id < b.id ? [a, b] : [b, a];
    const order = await makeOrder(api, buyer, [
      { productId: high.id, quantity: 1 },
      { productId: low.id, quantity: 1 },
    ]);

    const placement = await api.db.transaction();
    try {
      await placement('products').where({ id: low.id }).decrement('stock', 1);
      const cancel = request(api.app)
        .post(`/v1/orders/${order.id}/cancel`)
        .set(buyer.auth)
        .send({})
        .then((r) => r);
      await waitUntil(cancelWaitsOnARowLock, 10_000, 'the cancel to wait on the held product row');
      await placement('products').where({ id: high.id }).decrement('stock', 1);
      await placement.commit();
      const res = await cancel;
      expect([res.status, res.body.code]).toEqual([200, undefined]);
    } finally {
      if (!placement.isCompleted()) await placement.rollback();
    }
    const stock = await api.db('products').whereIn('id', [low.id, high.id]).pluck('stock');
    expect(stock).toEqual([9, 9]); // 10 - 1 (placement) - 1 (order) + 1 (cancel)
  });
});
