import request from 'supertest';
import { runTransition } from '../../src/orders/coordinator';
import {
  makeOrder,
  makeProduct,
  openApi,
  principal,
  type ApiContext,
  type Principal,
} from '../helpers/api';
import { holdings, makeSaleProduct } from '../helpers/catalog';

describe('perBuyerLimit: no buyer holds more units of a product than its limit', () => {
  let instances: ApiContext[];
  let api: ApiContext;
  beforeAll(async () => {
    // Three apps, each with its own pool and lock manager: as three instances.
    instances = await Promise.all([openApi(), openApi(), openApi()]);
    api = instances[0] as ApiContext;
  });
  afterAll(async () => Promise.all(instances.map((i) => i.close())));

  const order = (buyer: Principal, productId: string, quantity = 1, i = 0) =>
    request((instances[i % instances.length] as ApiContext).app)
      .post('/v1/orders')
      .set(buyer.auth)
      .send({ items: [{ productId, quantity }] });

  it('when one buyer sends 30 concurrent orders to three instances, then exactly 2 succeed and cancelling one frees one unit', async () => {
    const merchant = await principal(api.config, 'merchant');
    const buyer = await principal(api.config, 'buyer');
    const product = await makeSaleProduct(api, merchant, { stock: 100, perBuyerLimit: 2 });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => order(buyer, product.id, 1, i)),
    );
    const placed = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(placed).toHaveLength(2);
    for (const r of refused) {
      expect([r.status, r.body.code, r.body.limit, r.body.held, r.body.productId]).toEqual([
        409,
        'purchase_limit_exceeded',
        2,
        2,
        product.id,
      ]);
    }
    expect(await holdings(api, buyer.id, product.id)).toEqual({ recorded: 2, inOrders: 2 });

    const cancelled = placed[0]?.body as { id: string };
    await request(api.app).post(`/v1/orders/${cancelled.id}/cancel`).set(buyer.auth).expect(200);
    expect(await holdings(api, buyer.id, product.id)).toEqual({ recorded: 1, inOrders: 1 });
    expect((await order(buyer, product.id, 1, 1)).status).toBe(201);
    const next = await order(buyer, product.id, 1, 2);
    expect([next.status, next.body.code, next.body.held]).toEqual([
      409,
      'purchase_limit_exceeded',
      2,
    ]);
    expect(await holdings(api, buyer.id, product.id)).toEqual({ recorded: 2, inOrders: 2 });
    const stock = (await api.db('products').where({ id: product.id }).first()) as {
      stock: number;
    };
    expect(stock.stock).toBe(98);
  });

  it('when another buyer orders the same product, then its limit is its own', async () => {
    const merchant = await principal(api.config, 'merchant');
    const [a, b] = await Promise.all([
      principal(api.config, 'buyer'),
      principal(api.config, 'buyer'),
    ]);
    const product = await makeSaleProduct(api, merchant, { perBuyerLimit: 1 });
    expect((await order(a, product.id)).status).toBe(201);
    expect((await order(b, product.id)).status).toBe(201);
    expect((await order(a, product.id)).body.code).toBe('purchase_limit_exceeded');
  });

  it('when one order asks for more than the limit, then it is refused with held 0 and reserves nothing', async () => {
    const merchant = await principal(api.config, 'merchant');
    const buyer = await principal(api.config, 'buyer');
    const plain = await makeProduct(api, merchant, { stock: 10 });
    const limited = await makeSaleProduct(api, merchant, { stock: 10, perBuyerLimit: 2 });
    const res = await request(api.app)
      .post('/v1/orders')
      .set(buyer.auth)
      .send({
        items: [
          { productId: plain.id, quantity: 1 },
          { productId: limited.id, quantity: 3 },
        ],
      });
    expect([res.status, res.body.code, res.body.limit, res.body.held]).toEqual([
      409,
      'purchase_limit_exceeded',
      2,
      0,
    ]);
    const stock = await api.db('products').whereIn('id', [plain.id, limited.id]).pluck('stock');
    expect(stock).toEqual([10, 10]);
    expect(await holdings(api, buyer.id, limited.id)).toEqual({ recorded: 0, inOrders: 0 });
  });

  it('when a paid order is refunded, then its units are free again; shipped ones stay held', async () => {
    const merchant = await principal(api.config, 'merchant');
    const buyer = await principal(api.config, 'buyer');
    const product = await makeSaleProduct(api, merchant, { perBuyerLimit: 2, priceCents: 500 });
    const first = await makeOrder(api, buyer, [{ productId: product.id, quantity: 1 }]);
    const second = await makeOrder(api, buyer, [{ productId: product.id, quantity: 1 }]);
    const at = (id: string, action: string) => `/v1/orders/${id}/${action}`;
    for (const o of [first, second])
      await request(api.app)
        .post(at(o.id, 'pay'))
        .set(buyer.auth)
        .send({ amountCents: 500 })
        .expect(200);
    await request(api.app).post(at(first.id, 'ship')).set(merchant.auth).send({}).expect(200);
    await request(api.app).post(at(second.id, 'refund')).set(merchant.auth).send({}).expect(200);
    expect(await holdings(api, buyer.id, product.id)).toEqual({ recorded: 1, inOrders: 1 });
    expect((await order(buyer, product.id)).status).toBe(201);
    expect((await order(buyer, product.id)).body.code).toBe('purchase_limit_exceeded');
  });

  it('when an unpaid order expires, then its units are free again', async () => {
    const merchant = await principal(api.config, 'merchant');
    const buyer = await principal(api.config, 'buyer');
    const product = await makeSaleProduct(api, merchant, { perBuyerLimit: 1 });
    const placed = await makeOrder(api, buyer, [{ productId: product.id, quantity: 1 }]);
    // The deadline moved into the past (as waiting PAYMENT_TTL_SECONDS), then the sweeper's path.
    await api
      .db('orders')
      .where({ id: placed.id })
      .update({ payment_due_at: new Date(Date.now() - 1000) });
    const expired = await runTransition(api, {
      orderId: placed.id,
      actor: { role: 'system', id: 'payment-expiry' },
      intent: { type: 'EXPIRE' },
    });
    expect(expired.status).toBe('cancelled');
    expect(await holdings(api, buyer.id, product.id)).toEqual({ recorded: 0, inOrders: 0 });
    expect((await order(buyer, product.id)).status).toBe(201);
  });

  it('when a product has no limit, then no holdings row is written', async () => {
    const merchant = await principal(api.config, 'merchant');
    const buyer = await principal(api.config, 'buyer');
    const product = await makeProduct(api, merchant, { stock: 10 });
    await makeOrder(api, buyer, [{ productId: product.id, quantity: 5 }]);
    const rows = await api.db('buyer_holdings').where({ product_id: product.id });
    expect(rows).toEqual([]);
  });
});
