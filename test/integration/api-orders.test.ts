import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  makeOrder,
  makeProduct,
  openApi,
  principal,
  type ApiContext,
  type Principal,
} from '../helpers/api';

describe('products and orders API', () => {
  let api: ApiContext;
  let merchant: Principal;
  let buyer: Principal;
  beforeAll(async () => {
    api = await openApi();
    merchant = await principal(api.config, 'merchant');
    buyer = await principal(api.config, 'buyer');
  });
  afterAll(async () => api.close());

  const stockOf = async (id: string) =>
    ((await api.db('products').where({ id }).first()) as { stock: number }).stock;

  it('when a merchant adds a product, then 201 with Location and the product; GET shows it to any role', async () => {
    const res = await request(api.app)
      .post('/v1/products')
      .set(merchant.auth)
      .send({ sku: 'mug-1', name: 'Mug', priceCents: 1250, stock: 7 })
      .expect(201);
    expect(res.headers.location).toBe(`/v1/products/${res.body.id}`);
    expect(res.body).toMatchObject({
      merchantId: merchant.id,
      sku: 'mug-1',
      priceCents: 1250,
      currency: 'USD',
      stock: 7,
    });
    const got = await request(api.app)
      .get(`/v1/products/${res.body.id}`)
      .set(buyer.auth)
      .expect(200);
    expect(got.body).toEqual(res.body);
  });

  it('when a merchant reuses its SKU, then 409 sku_exists; another merchant may use it', async () => {
    const body = { sku: 'dup-sku', name: 'A', priceCents: 1, stock: 1 };
    await request(api.app).post('/v1/products').set(merchant.auth).send(body).expect(201);
    const again = await request(api.app)
      .post('/v1/products')
      .set(merchant.auth)
      .send(body)
      .expect(409);
    expect(again.body.code).toBe('sku_exists');
    const other = await principal(api.config, 'merchant');
    await request(api.app).post('/v1/products').set(other.auth).send(body).expect(201);
  });

  it('when a buyer adds a product, then 403 forbidden and nothing is stored', async () => {
    const sku = `b-${randomUUID()}`.slice(0, 30);
    const res = await request(api.app)
      .post('/v1/products')
      .set(buyer.auth)
      .send({ sku, name: 'X', priceCents: 1, stock: 1 });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('forbidden');
    expect(await api.db('products').where({ sku })).toHaveLength(0);
  });

  it('when a product does not exist, then 404 product_not_found (also for a non-UUID id)', async () => {
    for (const id of [randomUUID(), 'not-a-uuid']) {
      const res = await request(api.app).get(`/v1/products/${id}`).set(buyer.auth).expect(404);
      expect(res.body.code).toBe('product_not_found');
    }
  });

  it('when a buyer orders, then 201 pending_payment with total, ETag "1", Location, due time, a CREATED event and reserved stock', async () => {
    const a = await makeProduct(api, merchant, { priceCents: 300, stock: 10 });
    const b = await makeProduct(api, merchant, { priceCents: 125, stock: 5 });
    const before = Date.now();
    const res = await request(api.app)
      .post('/v1/orders')
      .set(buyer.auth)
      .send({
        items: [
          { productId: a.id, quantity: 2 },
          { productId: b.id, quantity: 4 },
        ],
      })
      .expect(201);
    expect(res.headers.etag).toBe('"1"');
    expect(res.headers.location).toBe(`/v1/orders/${res.body.id}`);
    expect(res.body).toMatchObject({
      buyerId: buyer.id,
      merchantId: merchant.id,
      status: 'pending_payment',
      totalCents: 2 * 300 + 4 * 125,
      couponId: null,
      discountCents: 0,
      currency: 'USD',
      paidCents: null,
      version: 1,
      items: [
        { productId: a.id, quantity: 2, unitPriceCents: 300 },
        { productId: b.id, quantity: 4, unitPriceCents: 125 },
      ],
    });
    const due = Date.parse(res.body.paymentDueAt) - Date.parse(res.body.createdAt);
    expect(due).toBe(api.config.PAYMENT_TTL_SECONDS * 1000);
    expect(Date.parse(res.body.createdAt)).toBeGreaterThan(before - 5000);
    expect(await stockOf(a.id)).toBe(8);
    expect(await stockOf(b.id)).toBe(1);

    const events = await request(api.app)
      .get(`/v1/orders/${res.body.id}/events`)
      .set(buyer.auth)
      .expect(200);
    expect(events.body.events).toEqual([
      {
        seq: 1,
        type: 'CREATED',
        fromStatus: null,
        toStatus: 'pending_payment',
        version: 1,
        actor: { role: 'buyer', id: buyer.id },
        data: { items: res.body.items, couponId: null, discountCents: 0, totalCents: 1100 },
        at: res.body.createdAt,
      },
    ]);
  });

  it('when one item lacks stock, then 409 out_of_stock and no stock is taken from any item', async () => {
    const a = await makeProduct(api, merchant, { stock: 10 });
    const b = await makeProduct(api, merchant, { stock: 1 });
    const res = await request(api.app)
      .post('/v1/orders')
      .set(buyer.auth)
      .send({
        items: [
          { productId: a.id, quantity: 3 },
          { productId: b.id, quantity: 2 },
        ],
      })
      .expect(409);
    expect(res.body).toMatchObject({ code: 'out_of_stock', productId: b.id });
    expect(await stockOf(a.id)).toBe(10);
    expect(await stockOf(b.id)).toBe(1);
    expect(
      await api
        .db('orders')
        .where({ buyer_id: buyer.id })
        .whereIn('id', api.db('order_items').select('order_id').where({ product_id: b.id })),
    ).toHaveLength(0);
  });

  it('when the same product is listed twice, then its quantities are reserved together', async () => {
    const a = await makeProduct(api, merchant, { stock: 5 });
    await request(api.app)
      .post('/v1/orders')
      .set(buyer.auth)
      .send({
        items: [
          { productId: a.id, quantity: 3 },
          { productId: a.id, quantity: 3 },
        ],
      })
      .expect(409);
    await makeOrder(api, buyer, [
      { productId: a.id, quantity: 2 },
      { productId: a.id, quantity: 3 },
    ]);
    expect(await stockOf(a.id)).toBe(0);
  });

  it('when a product is unknown, then 422 unknown_product naming it', async () => {
    const missing = randomUUID();
    const res = await request(api.app)
      .post('/v1/orders')
      .set(buyer.auth)
      .send({ items: [{ productId: missing, quantity: 1 }] })
      .expect(422);
    expect(res.body).toMatchObject({ code: 'unknown_product', productIds: [missing] });
  });

  it('when items come from two merchants, then 422 mixed_merchants and no stock moves', async () => {
    const other = await principal(api.config, 'merchant');
    const a = await makeProduct(api, merchant, { stock: 3 });
    const b = await makeProduct(api, other, { stock: 3 });
    const res = await request(api.app)
      .post('/v1/orders')
      .set(buyer.auth)
      .send({
        items: [
          { productId: a.id, quantity: 1 },
          { productId: b.id, quantity: 1 },
        ],
      })
      .expect(422);
    expect(res.body.code).toBe('mixed_merchants');
    expect(await stockOf(a.id)).toBe(3);
  });

  it('when a merchant or an admin places an order, then 403 forbidden', async () => {
    const a = await makeProduct(api, merchant);
    for (const role of ['merchant', 'admin'] as const) {
      const who = await principal(api.config, role);
      const res = await request(api.app)
        .post('/v1/orders')
        .set(who.auth)
        .send({ items: [{ productId: a.id, quantity: 1 }] });
      expect(res.status).toBe(403);
    }
  });

  it('when someone else asks for an order, then 404 order_not_found; its buyer, merchant and admins see it with its ETag', async () => {
    const a = await makeProduct(api, merchant);
    const order = await makeOrder(api, buyer, [{ productId: a.id, quantity: 1 }]);
    for (const who of [buyer, merchant, await principal(api.config, 'admin')]) {
      const res = await request(api.app).get(`/v1/orders/${order.id}`).set(who.auth).expect(200);
      expect(res.headers.etag).toBe('"1"');
      expect(res.body.id).toBe(order.id);
    }
    for (const who of [
      await principal(api.config, 'buyer'),
      await principal(api.config, 'merchant'),
    ]) {
      for (const path of [`/v1/orders/${order.id}`, `/v1/orders/${order.id}/events`]) {
        const res = await request(api.app).get(path).set(who.auth).expect(404);
        expect(res.body.code).toBe('order_not_found');
      }
    }
  });

  it('when listing, then newest first, own orders only, filtered by status and paged by cursor without gaps or repeats', async () => {
    const lister = await principal(api.config, 'buyer');
    const seller = await principal(api.config, 'merchant');
    const a = await makeProduct(api, seller, { stock: 100 });
    const ids: string[] = [];
    for (let i = 0; i < 7; i++)
      ids.push((await makeOrder(api, lister, [{ productId: a.id, quantity: 1 }])).id);
    await makeOrder(api, buyer, [{ productId: a.id, quantity: 1 }]); // someone else's
    await request(api.app)
      .post(`/v1/orders/${ids[0]}/cancel`)
      .set(lister.auth)
      .send({})
      .expect(200);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await request(api.app)
        .get('/v1/orders')
        .query({ limit: 3, ...(cursor ? { cursor } : {}) })
        .set(lister.auth)
        .expect(200);
      expect(res.body.orders.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.orders.map((o: { id: string }) => o.id));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const pending = await request(api.app)
      .get('/v1/orders')
      .query({ status: 'pending_payment', limit: 100 })
      .set(lister.auth)
      .expect(200);
    expect(pending.body.orders.map((o: { id: string }) => o.id)).toEqual(ids.slice(1).reverse());
    const merchantView = await request(api.app)
      .get('/v1/orders')
      .query({ limit: 100 })
      .set(seller.auth)
      .expect(200);
    expect(merchantView.body.orders).toHaveLength(8);
  });

  it.each([
    ['limit=0', { limit: '0' }],
    ['limit=101', { limit: '101' }],
    ['limit=abc', { limit: 'abc' }],
    ['status=lost', { status: 'lost' }],
    ['cursor=garbage', { cursor: 'garbage' }],
    ['an unknown parameter', { sort: 'asc' }],
  ])('when listing with %s, then 400 validation_failed', async (_name, query) => {
    const res = await request(api.app).get('/v1/orders').query(query).set(buyer.auth).expect(400);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.errors[0].path).toMatch(/^query\./);
  });
});
