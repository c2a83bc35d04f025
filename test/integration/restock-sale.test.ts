import request, { type Response } from 'supertest';
import { openApi, principal, type ApiContext } from '../helpers/api';
import { makeSaleProduct } from '../helpers/catalog';

describe('a restock during a flash sale', () => {
  let instances: ApiContext[];
  beforeAll(async () => {
    instances = await Promise.all([openApi(), openApi()]);
  });
  afterAll(async () => Promise.all(instances.map((i) => i.close())));

  it('when 15 units are added while buyers race through two instances, then exactly the 25 stocked units are sold', async () => {
    const [a, b] = instances as [ApiContext, ApiContext];
    const merchant = await principal(a.config, 'merchant');
    const product = await makeSaleProduct(a, merchant, { stock: 10 });
    const buyAll = async (count: number) => {
      const buyers = await Promise.all(
        Array.from({ length: count }, () => principal(a.config, 'buyer')),
      );
      return Promise.all(
        buyers.map((buyer, i) =>
          request((i % 2 === 0 ? a : b).app)
            .post('/v1/orders')
            .set(buyer.auth)
            .send({ items: [{ productId: product.id, quantity: 1 }] })
            .then((r) => r),
        ),
      );
    };

    // 30 buyers for 10 units: sold out. Then 40 more race with the restock of 15, and 20
    // after it answered take whatever the 40 left (at most 15, fewer than 20 buyers).
    const first = await buyAll(30);
    const during = buyAll(40);
    const restocked = await request(b.app)
      .post(`/v1/products/${product.id}/restock`)
      .set(merchant.auth)
      .send({ quantity: 15 });
    const results: Response[] = [...first, ...(await during), ...(await buyAll(20))];

    expect(restocked.status).toBe(200);
    expect(restocked.body.stock).toBeLessThanOrEqual(15);
    const sold = results.filter((r) => r.status === 201).length;
    const refused = results.filter((r) => r.status !== 201);
    for (const r of refused) expect([r.status, r.body.code]).toEqual([409, 'out_of_stock']);
    const row = await a
      .db<{ id: string; stock: number; stocked: number }>('products')
      .where({ id: product.id })
      .first('stock', 'stocked');
    const { rows } = await a.db.raw<{ rows: { sum: number }[] }>(
      'select coalesce(sum(quantity), 0)::int as sum from order_items where product_id = ?',
      [product.id],
    );
    expect(first.filter((r) => r.status === 201)).toHaveLength(10);
    expect({ sold, inOrders: rows[0]?.sum, ...row }).toEqual({
      sold: 25,
      inOrders: 25,
      stock: 0,
      stocked: 25,
    });
  });
});
