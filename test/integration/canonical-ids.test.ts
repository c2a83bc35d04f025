import request from 'supertest';
import { lockKey } from '@order-coordinator/lock';
import { makeOrder, openShop, type Shop } from '../helpers/api';

// A UUID names one resource whatever the case of its hex digits: ids are made canonical
// (lower case) at the edge, so one order has one lock key and one product one row.
describe('canonical ids', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await openShop({ LOCK_WAIT_MS: '300' });
  });
  afterAll(async () => shop.api.close());

  it('when a product id comes in upper case, then the order is placed for that product', async () => {
    const { api, buyer, product } = shop;
    const res = await request(api.app)
      .post('/v1/orders')
      .set(buyer.auth)
      .send({ items: [{ productId: product.id.toUpperCase(), quantity: 1 }] })
      .expect(201);
    expect(res.body.items[0].productId).toBe(product.id);
  });

  it('when an order id comes in upper case, then it names the same order and waits for the same lock', async () => {
    const { api, buyer, merchant, product } = shop;
    const order = await makeOrder(api, buyer, [{ productId: product.id, quantity: 1 }]);
    const upper = order.id.toUpperCase();
    const got = await request(api.app).get(`/v1/orders/${upper}`).set(buyer.auth).expect(200);
    expect(got.body.id).toBe(order.id);

    const held = await api.locks.acquire(lockKey('order', order.id), { ttlMs: 5000, waitMs: 0 });
    const busy = await request(api.app)
      .post(`/v1/orders/${upper}/reprice`)
      .set(merchant.auth)
      .send({ totalCents: 1 });
    await held.release();
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('order_busy');
    expect(
      ((await api.db('orders').where({ id: order.id }).first()) as { version: number }).version,
    ).toBe(1);

    const done = await request(api.app)
      .post(`/v1/orders/${upper}/reprice`)
      .set(merchant.auth)
      .send({ totalCents: 1 })
      .expect(200);
    expect(done.body).toMatchObject({ id: order.id, version: 2, totalCents: 1 });
  });
});
