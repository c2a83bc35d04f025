import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { makeOrder, openShop, principal, type ApiContext, type Principal } from '../helpers/api';

describe('bulk transitions API', () => {
  let api: ApiContext;
  let merchant: Principal;
  let buyer: Principal;
  let product: { id: string; priceCents: number };
  beforeAll(async () => {
    ({ api, merchant, buyer, product } = await openShop({}, { priceCents: 500, stock: 10_000 }));
  });
  afterAll(async () => api.close());

  const newOrder = () => makeOrder(api, buyer, [{ productId: product.id, quantity: 2 }]);
  const paidOrder = async () => {
    const order = await newOrder();
    await request(api.app)
      .post(`/v1/orders/${order.id}/pay`)
      .set(buyer.auth)
      .send({ amountCents: order.totalCents })
      .expect(200);
    return order;
  };
  const bulk = (action: string, orders: object[], who = merchant) =>
    request(api.app).post(`/v1/orders/bulk/${action}`).set(who.auth).send({ orders });
  const eventTypes = async (orderId: string): Promise<string[]> =>
    (await api.db('order_events').where({ order_id: orderId }).orderBy('seq')).map(
      (e: { type: string }) => e.type,
    );
  const statusOf = async (orderId: string): Promise<string> =>
    ((await api.db('orders').where({ id: orderId }).first()) as { status: string }).status;

  it('when three orders are shipped and one is not paid, then that one is refused and the other two ship', async () => {
    const [a, b] = [await paidOrder(), await paidOrder()];
    const unpaid = await newOrder();
    const res = await bulk('ship', [
      { id: a.id, body: { trackingNumber: 'TRK-A' } },
      { id: unpaid.id, body: { trackingNumber: 'TRK-X' } },
      { id: b.id, ifMatch: '"2"', body: {} },
    ]).expect(200);
    expect(res.body.results.map((r: { id: string; status: number }) => [r.id, r.status])).toEqual([
      [a.id, 200],
      [unpaid.id, 409],
      [b.id, 200],
    ]);
    expect(res.body.results[0].order).toMatchObject({ status: 'shipped', version: 3 });
    expect(res.body.results[1]).not.toHaveProperty('order');
    expect(res.body.results[1].error).toMatchObject({
      status: 409,
      code: 'invalid_transition',
      currentStatus: 'pending_payment',
    });
    expect(await statusOf(unpaid.id)).toBe('pending_payment');
    expect(await eventTypes(unpaid.id)).toEqual(['CREATED']);
    expect(await eventTypes(a.id)).toEqual(['CREATED', 'PAY', 'SHIP']);
    const shipped = await api.db('order_events').where({ order_id: a.id, type: 'SHIP' }).first();
    expect(shipped).toMatchObject({ data: { trackingNumber: 'TRK-A' } });
  });

  it("when an entry names a stale version or another merchant's order, then only that entry is refused (412, 404)", async () => {
    const [a, b] = [await newOrder(), await newOrder()];
    const other = await principal(api.config, 'merchant');
    const stranger = await bulk('reprice', [{ id: a.id, body: { totalCents: 1 } }], other).expect(
      200,
    );
    expect(stranger.body.results[0]).toMatchObject({
      status: 404,
      error: { code: 'order_not_found' },
    });
    const res = await bulk('reprice', [
      { id: a.id, ifMatch: '"7"', body: { totalCents: 700 } },
      { id: b.id, ifMatch: '"1"', body: { totalCents: 800, reason: 'sale' } },
    ]).expect(200);
    expect(res.body.results[0]).toMatchObject({
      status: 412,
      error: { code: 'precondition_failed', currentVersion: 1 },
    });
    expect(res.body.results[1]).toMatchObject({
      status: 200,
      order: { totalCents: 800, version: 2 },
    });
    const event = await api.db('order_events').where({ order_id: b.id, seq: 2 }).first();
    expect(event).toMatchObject({
      data: { totalCents: 800, previousTotalCents: 1000, reason: 'sale' },
    });
    expect(await eventTypes(a.id)).toEqual(['CREATED']);
  });

  it('when the same Idempotency-Key comes again, then the first answer is replayed and nothing runs twice', async () => {
    const order = await newOrder();
    const key = `bulk-${randomUUID()}`;
    const orders = [{ id: order.id, body: { totalCents: 600 } }];
    const send = (body: object[]) => bulk('reprice', body).set('Idempotency-Key', key);
    const first = await send(orders).expect(200);
    const again = await send(orders).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await eventTypes(order.id)).toEqual(['CREATED', 'REPRICE']);
    const other = await send([{ id: order.id, body: { totalCents: 650 } }]).expect(422);
    expect(other.body.code).toBe('idempotency_key_reused');
  });

  it('when the body is malformed, then 400 validation_failed names the entry and nothing changes', async () => {
    const order = await newOrder();
    const cases: [object[], string][] = [
      [[], 'body.orders'],
      [
        [
          { id: order.id, body: {} },
          { id: order.id.toUpperCase(), body: {} },
        ],
        'body.orders.1.id',
      ],
      [[{ id: order.id, ifMatch: '3', body: {} }], 'body.orders.0.ifMatch'],
      [[{ id: order.id, body: { totalCents: -1 } }], 'body.orders.0.body.totalCents'],
      [[{ id: order.id }], 'body.orders.0.body'],
      [Array.from({ length: 101 }, () => ({ id: randomUUID(), body: {} })), 'body.orders'],
    ];
    for (const [orders, path] of cases) {
      const action = path.includes('totalCents') ? 'reprice' : 'cancel';
      const res = await bulk(action, orders).expect(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect(await eventTypes(order.id)).toEqual(['CREATED']);
  });

  it('when a buyer sends a bulk request, then 403; an action that has no bulk form is 404', async () => {
    const order = await newOrder();
    await bulk('cancel', [{ id: order.id, body: {} }], buyer).expect(403);
    // `bulk` is then no order id: the single transition's route answers it.
    await bulk('pay', [{ id: order.id, body: { amountCents: 1000 } }]).expect(404);
    expect(await eventTypes(order.id)).toEqual(['CREATED']);
  });

  it('when 100 orders are cancelled at once, then each has exactly one CANCEL and the stock is back', async () => {
    // Placed ten at a time: the setup is not what is under test, and 100 placements at
    // once queue past the pool's acquire deadline on a loaded two-core machine.
    const orders: Awaited<ReturnType<typeof newOrder>>[] = [];
    for (let batch = 0; batch < 10; batch++)
      orders.push(...(await Promise.all(Array.from({ length: 10 }, () => newOrder()))));
    const before = await api.db('products').where({ id: product.id }).first();
    const res = await bulk(
      'cancel',
      orders.map((o) => ({ id: o.id, body: { reason: 'bulk' } })),
    );
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { id: string }) => r.id)).toEqual(orders.map((o) => o.id));
    expect(res.body.results.every((r: { status: number }) => r.status === 200)).toBe(true);
    const cancels = await api
      .db('order_events')
      .whereIn(
        'order_id',
        orders.map((o) => o.id),
      )
      .andWhere({ type: 'CANCEL' })
      .count<{ count: string }[]>('* as count');
    expect(Number(cancels[0]?.count)).toBe(100);
    const after = await api.db('products').where({ id: product.id }).first();
    expect(after.stock - before.stock).toBe(200);
  });
});
