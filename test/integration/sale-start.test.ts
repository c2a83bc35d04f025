import request from 'supertest';
import { waitUntil } from '../../support/time';
import { makeProduct, openApi, principal, type ApiContext, type Principal } from '../helpers/api';
import { dbNow, makeSaleProduct } from '../helpers/catalog';

describe('saleStartsAt: no order for a product is placed before its sale starts', () => {
  let api: ApiContext;
  let merchant: Principal;
  let buyer: Principal;
  beforeAll(async () => {
    api = await openApi();
    merchant = await principal(api.config, 'merchant');
    buyer = await principal(api.config, 'buyer');
  });
  afterAll(async () => api.close());

  const order = (items: { productId: string; quantity: number }[]) =>
    request(api.app).post('/v1/orders').set(buyer.auth).send({ items });

  it('when orders come before the start, then they get sale_not_started and reserve nothing; after it they succeed', async () => {
    const startsAt = new Date((await dbNow(api)).getTime() + 1500);
    const product = await makeSaleProduct(api, merchant, {
      stock: 5,
      saleStartsAt: startsAt.toISOString(),
    });
    expect(product.saleStartsAt).toBe(startsAt.toISOString());
    const plain = await makeProduct(api, merchant, { stock: 5 });

    const early = await Promise.all([
      order([{ productId: product.id, quantity: 1 }]),
      order([
        { productId: plain.id, quantity: 1 },
        { productId: product.id, quantity: 1 },
      ]),
    ]);
    for (const res of early) {
      expect([res.status, res.body.code, res.body.saleStartsAt, res.body.productId]).toEqual([
        409,
        'sale_not_started',
        startsAt.toISOString(),
        product.id,
      ]);
    }
    const stock = await api.db('products').whereIn('id', [product.id, plain.id]).pluck('stock');
    expect(stock).toEqual([5, 5]);
    expect(await api.db('order_items').whereIn('product_id', [product.id, plain.id])).toEqual([]);

    await waitUntil(async () => (await dbNow(api)) >= startsAt, 10_000, 'the sale to start');
    const res = await order([{ productId: product.id, quantity: 2 }]);
    expect(res.status).toBe(201);
    expect(new Date(res.body.createdAt as string).getTime()).toBeGreaterThanOrEqual(
      startsAt.getTime(),
    );
  });

  it('when the start is past or exactly now, then orders are placed', async () => {
    const past = await makeSaleProduct(api, merchant, {
      saleStartsAt: new Date(Date.now() - 60_000).toISOString(),
    });
    expect((await order([{ productId: past.id, quantity: 1 }])).status).toBe(201);
  });

  it('when saleStartsAt carries an offset, then it is stored as that instant in UTC', async () => {
    const product = await makeSaleProduct(api, merchant, {
      saleStartsAt: '2030-01-01T10:00:00+02:00',
    });
    expect(product.saleStartsAt).toBe('2030-01-01T08:00:00.000Z');
    const res = await order([{ productId: product.id, quantity: 1 }]);
    expect([res.status, res.body.code]).toEqual([409, 'sale_not_started']);
  });
});
