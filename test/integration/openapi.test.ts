import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import request, { type Response, type Test } from 'supertest';
import { createApp } from '../../src/http/app';
import { buildOpenApiDocument } from '../../src/http/openapi/document';
import { lockKey } from '@order-coordinator/lock';
import {
  makeOrder,
  makeProduct,
  openApi,
  openShop,
  principal,
  type ApiContext,
  type Principal,
} from '../helpers/api';
import { OpenApiChecker } from '../helpers/openapi-check';

// A broad sample of answers, each checked against GET /v1/openapi.json: the status must
// be documented for the operation, and the headers and body must match their schemas.
describe('every answer matches the OpenAPI document', () => {
  let api: ApiContext;
  let merchant: Principal;
  let buyer: Principal;
  let product: { id: string };
  let checker: OpenApiChecker;

  beforeAll(async () => {
    ({ api, merchant, buyer, product } = await openShop({}, { priceCents: 1000, stock: 100 }));
    const res = await request(api.app).get('/v1/openapi.json').expect(200);
    checker = new OpenApiChecker(res.body);
    checker.check(res);
  });
  afterAll(async () => api.close());

  /** Sends `test`, expects `status` (and `code` for a problem), checks it against the document. */
  async function answer(test: Test, status: number, code?: string): Promise<Response> {
    const res = await test;
    if (res.status !== status || (code !== undefined && res.body.code !== code))
      throw new Error(`expected ${status} ${code ?? ''}, got ${res.status} ${res.text}`);
    checker.check(res);
    return res;
  }
  const get = (path: string, who?: Principal) =>
    who ? request(api.app).get(path).set(who.auth) : request(api.app).get(path);
  const post = (path: string, who: Principal, body: object = {}) =>
    request(api.app).post(path).set(who.auth).send(body);
  const newOrder = (quantity = 1) => makeOrder(api, buyer, [{ productId: product.id, quantity }]);

  it('serves the document that the code builds, without a token', async () => {
    const res = await answer(get('/v1/openapi.json'), 200);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });

  it('answers the operations endpoints as documented', async () => {
    await answer(get('/healthz'), 200);
    await answer(get('/readyz'), 200);
    const withMetrics = createApp({ ...api, registry: new Registry() });
    checker.check(await request(withMetrics).get('/metrics').expect(200));
  });

  it('answers 401 on every endpoint that needs a token, when none is sent', async () => {
    const open = ['/healthz', '/readyz', '/metrics', '/v1/openapi.json'];
    for (const operation of checker.operations()) {
      const [method, template = ''] = operation.split(' ');
      const path = template.replace(/\{[^}]+\}/g, randomUUID());
      const test =
        method === 'post'
          ? request(api.app).post(path)
          : method === 'delete'
            ? request(api.app).delete(path)
            : request(api.app).get(path);
      const res = await test;
      if (!open.includes(path)) expect({ path, status: res.status }).toEqual({ path, status: 401 });
      // /metrics is 404 here: this app has no registry (the test above gives it one).
      if (path !== '/metrics') checker.check(res);
    }
  });

  it('answers product requests as documented', async () => {
    const body = { sku: `sku-${randomUUID().slice(0, 8)}`, name: 'Mug', priceCents: 5, stock: 1 };
    const key = `p-${randomUUID()}`;
    const created = await answer(
      post('/v1/products', merchant, body).set('Idempotency-Key', key),
      201,
    );
    const replayed = await answer(
      post('/v1/products', merchant, body).set('Idempotency-Key', key),
      201,
    );
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    const other = { ...body, name: 'Cup' };
    await answer(
      post('/v1/products', merchant, other).set('Idempotency-Key', key),
      422,
      'idempotency_key_reused',
    );
    await answer(post('/v1/products', merchant, body), 409, 'sku_exists');
    await answer(post('/v1/products', buyer, body), 403, 'forbidden');
    await answer(
      post('/v1/products', merchant, { ...body, colour: 'red' }),
      400,
      'validation_failed',
    );
    const raw = () => request(api.app).post('/v1/products').set(merchant.auth);
    await answer(
      raw().set('Content-Type', 'application/json').send('{"sku":'),
      400,
      'malformed_json',
    );
    await answer(
      raw().set('Content-Type', 'text/plain').send('mug'),
      415,
      'unsupported_media_type',
    );
    await answer(raw().send({ ...body, name: 'x'.repeat(70_000) }), 413, 'payload_too_large');
    await answer(get(`/v1/products/${created.body.id}`, buyer), 200);
    await answer(get(`/v1/products/${randomUUID()}`, buyer), 404, 'product_not_found');
  });

  it('answers listing, restock and gift requests as documented', async () => {
    const page = await answer(get('/v1/products?limit=1', merchant), 200);
    expect(page.body.products).toHaveLength(1);
    await answer(get(`/v1/products?limit=1&cursor=${page.body.nextCursor}`, merchant), 200);
    await answer(get('/v1/products?limit=1', await principal(api.config, 'admin')), 200);
    await answer(get('/v1/products', buyer), 403, 'forbidden');
    await answer(get('/v1/products?cursor=x', merchant), 400, 'validation_failed');
    const restock = (id: string, who: Principal, body: object = { quantity: 5 }) =>
      post(`/v1/products/${id}/restock`, who, body);
    await answer(restock(product.id, merchant).set('Idempotency-Key', `r-${randomUUID()}`), 200);
    await answer(restock(product.id, await principal(api.config, 'merchant')), 403, 'forbidden');
    await answer(restock(randomUUID(), merchant), 404, 'product_not_found');
    await answer(restock(product.id, merchant, { quantity: 0 }), 400, 'validation_failed');
    const body = { sku: `sku-${randomUUID().slice(0, 8)}`, name: 'Set', priceCents: 9, stock: 3 };
    const gift = { ...body, giftProductId: randomUUID() };
    await answer(post('/v1/products', merchant, gift), 422, 'invalid_gift');
    const sale = {
      ...body,
      giftProductId: product.id,
      perBuyerLimit: 1,
      saleStartsAt: new Date(Date.now() - 60_000).toISOString(),
    };
    const created = await answer(post('/v1/products', merchant, sale), 201);
    const items = [{ productId: created.body.id, quantity: 1 }];
    await answer(post('/v1/orders', buyer, { items }), 201);
    await answer(post('/v1/orders', buyer, { items }), 409, 'purchase_limit_exceeded');
    const later = {
      ...body,
      sku: `sku-${randomUUID().slice(0, 8)}`,
      saleStartsAt: '2099-01-01T00:00:00Z',
    };
    const upcoming = await answer(post('/v1/products', merchant, later), 201);
    const early = [{ productId: upcoming.body.id, quantity: 1 }];
    await answer(post('/v1/orders', buyer, { items: early }), 409, 'sale_not_started');
  });

  it('answers order requests as documented', async () => {
    const items = [{ productId: product.id, quantity: 1 }];
    const first = await answer(post('/v1/orders', buyer, { items }), 201);
    await answer(post('/v1/orders', buyer, { items }), 201);
    await answer(post('/v1/orders', merchant, { items }), 403, 'forbidden');
    await answer(post('/v1/orders', buyer, { items: [] }), 400, 'validation_failed');
    const unknown = [{ productId: randomUUID(), quantity: 1 }];
    await answer(post('/v1/orders', buyer, { items: unknown }), 422, 'unknown_product');
    const elsewhere = await makeProduct(api, await principal(api.config, 'merchant'));
    const mixed = [...items, { productId: elsewhere.id, quantity: 1 }];
    await answer(post('/v1/orders', buyer, { items: mixed }), 422, 'mixed_merchants');
    const scarce = await makeProduct(api, merchant, { stock: 1 });
    const tooMany = [{ productId: scarce.id, quantity: 2 }];
    await answer(post('/v1/orders', buyer, { items: tooMany }), 409, 'out_of_stock');

    const page = await answer(get('/v1/orders?limit=1', buyer), 200);
    expect(typeof page.body.nextCursor).toBe('string');
    await answer(get(`/v1/orders?limit=1&cursor=${page.body.nextCursor}`, buyer), 200);
    await answer(get('/v1/orders?status=paid&limit=100', buyer), 200);
    await answer(get('/v1/orders?limit=0', buyer), 400, 'validation_failed');
    await answer(get(`/v1/orders/${first.body.id}`, buyer), 200);
    await answer(get(`/v1/orders/${first.body.id}`, await principal(api.config, 'buyer')), 404);
    await answer(get(`/v1/orders/${first.body.id}/events`, merchant), 200);
    await answer(get(`/v1/orders/${randomUUID()}/events`, buyer), 404, 'order_not_found');
  });

  it('answers coupon requests and orders with coupons as documented', async () => {
    const body = { code: `c-${randomUUID().slice(0, 8)}`, discountCents: 300, totalQuantity: 1 };
    const key = `c-${randomUUID()}`;
    const coupon = await answer(
      post('/v1/coupons', merchant, body).set('Idempotency-Key', key),
      201,
    );
    await answer(post('/v1/coupons', merchant, body), 409, 'coupon_code_exists');
    await answer(post('/v1/coupons', buyer, body), 403, 'forbidden');
    await answer(post('/v1/coupons', merchant, { ...body, x: 1 }), 400, 'validation_failed');
    await answer(get(`/v1/coupons/${coupon.body.id}`, buyer), 200);
    await answer(get(`/v1/coupons/${randomUUID()}`, buyer), 404, 'coupon_not_found');
    const claimAt = (id: string, who = buyer) => post(`/v1/coupons/${id}/claim`, who);
    await answer(claimAt(coupon.body.id).set('Idempotency-Key', `k-${randomUUID()}`), 201);
    await answer(claimAt(coupon.body.id), 409, 'coupon_already_claimed');
    await answer(
      claimAt(coupon.body.id, await principal(api.config, 'buyer')),
      409,
      'coupon_sold_out',
    );
    await answer(claimAt(coupon.body.id, merchant), 403, 'forbidden');
    await answer(claimAt(randomUUID()), 404, 'coupon_not_found');
    const later = {
      ...body,
      code: `c-${randomUUID().slice(0, 8)}`,
      validFrom: '2099-01-01T00:00:00Z',
    };
    const upcoming = await answer(post('/v1/coupons', merchant, later), 201);
    await answer(claimAt(upcoming.body.id), 409, 'coupon_not_valid');
    const claims = await answer(get('/v1/coupons/claimed', buyer), 200);
    expect(claims.body.claims).toHaveLength(1);
    await answer(get('/v1/coupons/claimed', merchant), 403, 'forbidden');
    const items = [{ productId: product.id, quantity: 1 }];
    const couponId = coupon.body.id;
    const used = await answer(post('/v1/orders', buyer, { items, couponId }), 201);
    expect(used.body).toMatchObject({ couponId, discountCents: 300, totalCents: 700 });
    await answer(post('/v1/orders', buyer, { items, couponId }), 409, 'coupon_unavailable');
  });

  it('answers each transition and its refusals as documented', async () => {
    const order = await newOrder(2);
    const at = (action: string, id = order.id) => `/v1/orders/${id}/${action}`;
    await answer(post(at('reprice'), merchant, { totalCents: 1500 }).set('If-Match', '"1"'), 200);
    const stale = await answer(
      post(at('pay'), buyer, { amountCents: 1500 }).set('If-Match', '"1"'),
      412,
    );
    expect(stale.body.currentVersion).toBe(2);
    await answer(post(at('pay'), buyer, { amountCents: 2000 }), 409, 'price_changed');
    await answer(post(at('pay'), buyer, { amountCents: 1500 }).set('If-Match', 'v2'), 400);
    await answer(post(at('ship'), buyer), 403, 'forbidden');
    await answer(post(at('pay'), buyer, { amountCents: 1500 }), 200);
    await answer(post(at('pay'), buyer, { amountCents: 1500 }), 409, 'invalid_transition');
    await answer(post(at('ship'), merchant, { trackingNumber: 'TRK-1' }), 200);
    await answer(request(api.app).post(at('deliver')).set(merchant.auth), 200);
    await answer(post(at('cancel', randomUUID()), buyer), 404, 'order_not_found');

    const refunded = await newOrder();
    await answer(post(at('pay', refunded.id), buyer, { amountCents: 1000 }), 200);
    await answer(post(at('refund', refunded.id), merchant, { reason: 'broken' }), 200);
    const cancelled = await newOrder();
    await answer(post(at('cancel', cancelled.id), buyer, { reason: 'changed my mind' }), 200);
    await answer(get(`/v1/orders/${order.id}/events`, buyer), 200);
  });

  it('answers bulk transitions and their refusals as documented', async () => {
    const bulk = (action: string, orders: object[], who = merchant) =>
      post(`/v1/orders/bulk/${action}`, who, { orders });
    const [a, b, c] = [await newOrder(), await newOrder(), await newOrder()];
    const repriced = await answer(
      bulk('reprice', [
        { id: a.id, ifMatch: '"1"', body: { totalCents: 900 } },
        { id: b.id, ifMatch: '"5"', body: { totalCents: 900 } },
      ]).set('Idempotency-Key', `b-${randomUUID()}`),
      200,
    );
    expect(repriced.body.results.map((r: { status: number }) => r.status)).toEqual([200, 412]);
    await answer(bulk('cancel', [{ id: c.id, body: { reason: 'gone' } }]), 200);
    await answer(post(`/v1/orders/${a.id}/pay`, buyer, { amountCents: 900 }), 200);
    await answer(post(`/v1/orders/${b.id}/pay`, buyer, { amountCents: 1000 }), 200);
    await answer(bulk('ship', [{ id: a.id, body: { trackingNumber: 'T-1' } }]), 200);
    await answer(bulk('deliver', [{ id: a.id, body: {} }]), 200);
    await answer(bulk('refund', [{ id: b.id, body: {} }]), 200);
    await answer(bulk('ship', [{ id: a.id, body: {} }], buyer), 403, 'forbidden');
    await answer(
      bulk('ship', [
        { id: a.id, body: {} },
        { id: a.id, body: {} },
      ]),
      400,
    );
  });

  it('answers events feed requests as documented', async () => {
    await newOrder();
    const page = await answer(get('/v1/events?limit=1', merchant), 200);
    await answer(get(`/v1/events?limit=1&after=${page.body.nextCursor}`, merchant), 200);
    await answer(get('/v1/events', await principal(api.config, 'admin')), 200);
    await answer(get('/v1/events', buyer), 403, 'forbidden');
    await answer(get('/v1/events?after=x', merchant), 400, 'validation_failed');
    // The stream never ends: its first chunk is the sample.
    const firstChunk = (res: Response, done: (e: Error | null, body: unknown) => void) => {
      const stream = res as unknown as NodeJS.ReadableStream & { destroy: () => void };
      stream.once('data', (chunk: Buffer) => {
        stream.destroy();
        done(null, chunk.toString());
      });
    };
    await answer(get('/v1/events/stream', merchant).buffer(true).parse(firstChunk), 200);
    await answer(get('/v1/events/stream', buyer), 403, 'forbidden');
  });

  it('answers webhook endpoint requests as documented', async () => {
    const body = { url: 'https://example.com/hooks', eventTypes: ['PAY', 'SHIP'] };
    const made = await answer(post('/v1/webhooks', merchant, body), 201);
    await answer(
      post('/v1/webhooks', merchant, { url: 'mailto:x@example.com' }),
      422,
      'invalid_webhook_url',
    );
    await answer(post('/v1/webhooks', merchant, { url: 'nope' }), 400, 'validation_failed');
    await answer(post('/v1/webhooks', buyer, body), 403, 'forbidden');
    await answer(get('/v1/webhooks', merchant), 200);
    await answer(get('/v1/webhooks', buyer), 403, 'forbidden');
    const del = (id: string) => request(api.app).delete(`/v1/webhooks/${id}`).set(merchant.auth);
    await answer(del(made.body.id), 204);
    await answer(del(made.body.id), 404, 'webhook_not_found');
  });

  it('answers payment_expired as documented', async () => {
    const order = await newOrder();
    // The deadline moved into the past: the same as waiting PAYMENT_TTL_SECONDS.
    await api
      .db('orders')
      .where({ id: order.id })
      .update({ payment_due_at: new Date(Date.now() - 1000) });
    const pay = post(`/v1/orders/${order.id}/pay`, buyer, { amountCents: order.totalCents });
    await answer(pay, 409, 'payment_expired');
  });

  it('answers a busy order and a key in flight as documented, with Retry-After', async () => {
    const busyApi = await openApi({ LOCK_WAIT_MS: '300' });
    try {
      const order = await newOrder();
      const held = await busyApi.locks.acquire(lockKey('order', order.id), {
        ttlMs: 10_000,
        waitMs: 0,
      });
      const pay = (app = busyApi.app, key?: string) => {
        const test = request(app).post(`/v1/orders/${order.id}/pay`).set(buyer.auth);
        return (key ? test.set('Idempotency-Key', key) : test).send({ amountCents: 1000 });
      };
      const busy = await answer(pay(), 409, 'order_busy');
      expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      // Two runs of one key while the lock is held (5 s wait): whichever claims the key
      // first waits for the lock, the other is answered at once.
      const key = `k-${randomUUID()}`;
      const both = [pay(api.app, key), pay(api.app, key)].map((t) => t.then((r) => r));
      const firstDone = await Promise.race(both);
      await held.release();
      const answers = await Promise.all(both);
      expect(firstDone.body.code).toBe('idempotency_key_in_flight');
      answers.forEach((r) => checker.check(r));
      expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    } finally {
      await busyApi.close();
    }
  });

  it('has sampled a documented success of every operation', () => {
    const succeeded = new Set(
      [...checker.passed].filter((p) => / 2\d\d$/.test(p)).map((p) => p.replace(/ \d+$/, '')),
    );
    expect(checker.operations().filter((op) => !succeeded.has(op))).toEqual([]);
  });
});
