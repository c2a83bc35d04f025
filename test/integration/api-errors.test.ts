import { SignJWT } from 'jose';
import request from 'supertest';
import { makeOrder, type ApiContext, type Principal, openShop, type Shop } from '../helpers/api';

describe('bad input and authentication', () => {
  let api: ApiContext;
  let buyer: Principal;
  let orderId: string;
  beforeAll(async () => {
    let product: Shop['product'];
    ({ api, buyer, product } = await openShop({}, { priceCents: 100, stock: 100 }));
    orderId = (await makeOrder(api, buyer, [{ productId: product.id, quantity: 1 }])).id;
  });
  afterAll(async () => api.close());

  const versionOf = async () =>
    ((await api.db('orders').where({ id: orderId }).first()) as { version: number }).version;

  function expectProblem(res: request.Response, status: number, code: string): void {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({
      status,
      code,
      type: expect.any(String),
      title: expect.any(String),
      detail: expect.any(String),
    });
  }

  it('when the body is not valid JSON, then 400 malformed_json and nothing changes', async () => {
    const res = await request(api.app)
      .post(`/v1/orders/${orderId}/pay`)
      .set(buyer.auth)
      .set('Content-Type', 'application/json')
      .send('{"amountCents": 1');
    expectProblem(res, 400, 'malformed_json');
    expect(await versionOf()).toBe(1);
  });

  it.each([
    ['a string amount', 'pay', { amountCents: '100' }, 'body.amountCents'],
    ['a fractional amount', 'pay', { amountCents: 1.5 }, 'body.amountCents'],
    ['a negative total', 'reprice', { totalCents: -1 }, 'body.totalCents'],
    ['a missing amount', 'pay', {}, 'body.amountCents'],
    ['an unknown field', 'pay', { amountCents: 100, tip: 5 }, 'body.tip'],
    ['an unknown field on deliver', 'deliver', { when: 'now' }, 'body.when'],
    ['an empty reason', 'cancel', { reason: '' }, 'body.reason'],
    ['an array body', 'pay', [1, 2], 'body'],
  ])(
    'when a transition has %s, then 400 validation_failed naming the field',
    async (_name, action, body, path) => {
      const res = await request(api.app)
        .post(`/v1/orders/${orderId}/${action}`)
        .set(buyer.auth)
        .send(body);
      expectProblem(res, 400, 'validation_failed');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
      expect(await versionOf()).toBe(1);
    },
  );

  it.each([
    ['no items', { items: [] }],
    [
      '51 items',
      {
        items: Array.from({ length: 51 }, () => ({
          productId: '00000000-0000-4000-8000-000000000000',
          quantity: 1,
        })),
      },
    ],
    ['quantity 0', { items: [{ productId: '00000000-0000-4000-8000-000000000000', quantity: 0 }] }],
    [
      'quantity 1001',
      { items: [{ productId: '00000000-0000-4000-8000-000000000000', quantity: 1001 }] },
    ],
    ['a bad product id', { items: [{ productId: 'abc', quantity: 1 }] }],
    [
      'an unknown item field',
      { items: [{ productId: '00000000-0000-4000-8000-000000000000', quantity: 1, price: 1 }] },
    ],
  ])('when an order has %s, then 400 validation_failed', async (_name, body) => {
    const res = await request(api.app).post('/v1/orders').set(buyer.auth).send(body);
    expectProblem(res, 400, 'validation_failed');
  });

  it('when a body is over 64 KiB, then 413 payload_too_large', async () => {
    const res = await request(api.app)
      .post(`/v1/orders/${orderId}/cancel`)
      .set(buyer.auth)
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ reason: 'x'.repeat(70 * 1024) }));
    expectProblem(res, 413, 'payload_too_large');
    expect(await versionOf()).toBe(1);
  });

  it('when a POST body is not JSON, then 415 unsupported_media_type', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await request(api.app)
        .post(`/v1/orders/${orderId}/cancel`)
        .set(buyer.auth)
        .set('Content-Type', type)
        .send('reason=x');
      expectProblem(res, 415, 'unsupported_media_type');
    }
    expect(await versionOf()).toBe(1);
  });

  it('when a POST has no body at all, then it counts as {}', async () => {
    const res = await request(api.app).post(`/v1/orders/${orderId}/deliver`).set(buyer.auth);
    expectProblem(res, 403, 'forbidden');
  });

  it('when the Idempotency-Key is not printable ASCII or too long, then 400', async () => {
    for (const key of ['x'.repeat(256), 'tab\there']) {
      const res = await request(api.app)
        .post(`/v1/orders/${orderId}/cancel`)
        .set(buyer.auth)
        .set('Idempotency-Key', key)
        .send({});
      expectProblem(res, 400, 'validation_failed');
    }
  });

  describe('tokens', () => {
    const secret = () => new TextEncoder().encode(api.config.AUTH_JWT_SECRET);
    const sign = (claims: Record<string, unknown>, alg = 'HS256', key: Uint8Array = secret()) =>
      new SignJWT(claims).setProtectedHeader({ alg }).sign(key);

    it.each([
      ['no Authorization header', async () => undefined],
      ['a non-Bearer scheme', async () => 'Basic dXNlcjpwYXNz'],
      ['garbage', async () => 'Bearer not.a.jwt'],
      [
        'a forged signature',
        async () =>
          `Bearer ${await sign({ sub: 'b1', role: 'buyer' }, 'HS256', new TextEncoder().encode('another-secret-another-secret-1234'))}`,
      ],
      [
        'an expired token',
        async () =>
          `Bearer ${await sign({ sub: 'b1', role: 'buyer', exp: Math.floor(Date.now() / 1000) - 10 })}`,
      ],
      ['HS512', async () => `Bearer ${await sign({ sub: 'b1', role: 'buyer' }, 'HS512')}`],
      [
        'alg none',
        async () =>
          `Bearer ${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"b1","role":"buyer"}').toString('base64url')}.`,
      ],
      ['an unknown role', async () => `Bearer ${await sign({ sub: 'b1', role: 'root' })}`],
      ['a bad sub', async () => `Bearer ${await sign({ sub: 'has space', role: 'buyer' })}`],
      ['no sub', async () => `Bearer ${await sign({ role: 'buyer' })}`],
    ])('when the request has %s, then 401 unauthenticated', async (_name, header) => {
      const value = await header();
      const req = request(api.app).get('/v1/orders');
      const res = await (value ? req.set('Authorization', value) : req);
      expectProblem(res, 401, 'unauthenticated');
    });

    it('when a valid token has no exp, then it is accepted', async () => {
      const token = await sign({ sub: buyer.id, role: 'buyer' });
      await request(api.app).get('/v1/orders').set('Authorization', `Bearer ${token}`).expect(200);
    });

    it('when a transition comes without a token, then 401 and nothing changes', async () => {
      const res = await request(api.app)
        .post(`/v1/orders/${orderId}/pay`)
        .send({ amountCents: 100 });
      expectProblem(res, 401, 'unauthenticated');
      expect(await versionOf()).toBe(1);
    });
  });
});
