import request from 'supertest';
import { makeProduct, openShop, principal, type Shop } from '../helpers/api';

/**
 * Orders that share products, placed and cancelled at the same time: placing locks the
 * product rows to take stock, cancelling locks them to give it back. Both must take
 * those row locks in one order, or PostgreSQL breaks the cycle with a deadlock error.
 */
describe('placing and cancelling orders that share products', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await openShop();
  });
  afterAll(async () => shop.api.close());

  it('when 16 buyers place and cancel orders of the same products at once, then no request fails and no stock leaks', async () => {
    const { api, merchant } = shop;
    const products = await Promise.all(
      Array.from({ length: 6 }, () => makeProduct(api, merchant, { stock: 100_000 })),
    );
    const failures: string[] = [];
    const loop = async (n: number) => {
      const buyer = await principal(api.config, 'buyer');
      for (let i = n; i < 400; i += 16) {
        // Two products per order; the second order lists them the other way round.
        const pair = [...new Set([products[i % 6]!, products[(i * 5 + 1) % 6]!])];
        const items = pair.map((p) => ({ productId: p.id, quantity: 1 }));
        const placed = await request(api.app).post('/v1/orders').set(buyer.auth).send({ items });
        if (placed.status !== 201) {
          failures.push(`place ${placed.status} ${placed.body.code}`);
          continue;
        }
        const [cancelled, next] = await Promise.all([
          request(api.app).post(`/v1/orders/${placed.body.id}/cancel`).set(buyer.auth).send({}),
          request(api.app)
            .post('/v1/orders')
            .set(buyer.auth)
            .send({ items: [...items].reverse() }),
        ]);
        if (cancelled.status !== 200)
          failures.push(`cancel ${cancelled.status} ${cancelled.body.code}`);
        if (next.status !== 201) failures.push(`place ${next.status} ${next.body.code}`);
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, n) => loop(n)));
    expect(failures).toEqual([]);
    for (const p of products) {
      const row = (await api.db('products').where({ id: p.id }).first()) as {
        stock: number;
        stocked: number;
      };
      const held = await api
        .db('order_items as i')
        .join('orders as o', 'o.id', 'i.order_id')
        .where({ 'i.product_id': p.id, 'o.holds_stock': true })
        .sum<{ sum: string | null }[]>('i.quantity as sum');
      expect(row.stock + Number(held[0]?.sum ?? 0)).toBe(row.stocked);
    }
  });
});
