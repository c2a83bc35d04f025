import request from 'supertest';
import { makeProduct, openApi, principal, type ApiContext } from '../helpers/api';

describe('a flash sale: more buyers than stock on one product', () => {
  let instances: ApiContext[];
  beforeAll(async () => {
    instances = await Promise.all([openApi(), openApi()]);
  });
  afterAll(async () => Promise.all(instances.map((i) => i.close())));

  it('when 120 buyers race for 30 units through two instances, then exactly 30 are sold and the rest get out_of_stock', async () => {
    const [a, b] = instances as [ApiContext, ApiContext];
    const merchant = await principal(a.config, 'merchant');
    const product = await makeProduct(a, merchant, { stock: 30 });
    const buyers = await Promise.all(
      Array.from({ length: 120 }, () => principal(a.config, 'buyer')),
    );
    const results = await Promise.all(
      buyers.map((buyer, i) =>
        request((i % 2 === 0 ? a : b).app)
          .post('/v1/orders')
          .set(buyer.auth)
          .send({ items: [{ productId: product.id, quantity: 1 + (i % 3 === 0 ? 1 : 0) }] }),
      ),
    );
    const sold = results
      .filter((r) => r.status === 201)
      .reduce((sum, r) => sum + (r.body.items[0].quantity as number), 0);
    const refused = results.filter((r) => r.status === 409);
    expect(results.filter((r) => r.status !== 201 && r.status !== 409)).toEqual([]);
    for (const r of refused) expect(r.body.code).toBe('out_of_stock');
    const stock = ((await a.db('products').where({ id: product.id }).first()) as { stock: number })
      .stock;
    const held = Number(
      (
        await a
          .db('order_items')
          .where({ product_id: product.id })
          .sum<{ sum: string }[]>('quantity as sum')
      )[0]?.sum,
    );
    // Never oversold, and nothing leaks: what is left plus what orders hold is what was stocked.
    expect(stock).toBeGreaterThanOrEqual(0);
    expect(sold).toBe(held);
    expect(stock + held).toBe(30);
    // 120 buyers asking for 160 units: the stock runs out (at most 1 unit may be left,
    // when only a 2-unit order came after the 29th unit was sold).
    expect(stock).toBeLessThanOrEqual(1);
  });
});
