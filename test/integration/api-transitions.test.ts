import request from 'supertest';
import { makeOrder, principal, type ApiContext, type Principal, openShop } from '../helpers/api';

describe('transitions API', () => {
  let api: ApiContext;
  let merchant: Principal;
  let buyer: Principal;
  let product: { id: string; priceCents: number };
  beforeAll(async () => {
    ({ api, merchant, buyer, product } = await openShop({}, { priceCents: 500, stock: 10_000 }));
  });
  afterAll(async () => api.close());

  const newOrder = (quantity = 2) => makeOrder(api, buyer, [{ productId: product.id, quantity }]);
  const post = (who: Principal, orderId: string, action: string, body: object = {}) =>
    request(api.app).post(`/v1/orders/${orderId}/${action}`).set(who.auth).send(body);
  const eventsOf = async (orderId: string) =>
    (await request(api.app).get(`/v1/orders/${orderId}/events`).set(buyer.auth).expect(200)).body
      .events;
  const stock = async () =>
    ((await api.db('products').where({ id: product.id }).first()) as { stock: number }).stock;

  it('when the buyer pays the total, then 200 paid with ETag "2" and a PAY event with the amount', async () => {
    const order = await newOrder();
    const res = await post(buyer, order.id, 'pay', { amountCents: 1000 }).expect(200);
    expect(res.headers.etag).toBe('"2"');
    expect(res.body).toMatchObject({
      id: order.id,
      status: 'paid',
      paidCents: 1000,
      totalCents: 1000,
      version: 2,
    });
    const events = await eventsOf(order.id);
    expect(events[1]).toMatchObject({
      seq: 2,
      version: 2,
      type: 'PAY',
      fromStatus: 'pending_payment',
      toStatus: 'paid',
      actor: { role: 'buyer', id: buyer.id },
      data: { amountCents: 1000 },
      at: res.body.updatedAt,
    });
    const got = await request(api.app).get(`/v1/orders/${order.id}`).set(buyer.auth).expect(200);
    expect(got.body).toEqual(res.body);
  });

  it('when the merchant reprices, then the total changes, the event keeps both totals, and an old amount gets price_changed', async () => {
    const order = await newOrder();
    const res = await post(merchant, order.id, 'reprice', {
      totalCents: 900,
      reason: 'coupon',
    }).expect(200);
    expect(res.body).toMatchObject({ status: 'pending_payment', totalCents: 900, version: 2 });
    expect((await eventsOf(order.id))[1]).toMatchObject({
      type: 'REPRICE',
      data: { totalCents: 900, previousTotalCents: 1000, reason: 'coupon' },
    });
    const stale = await post(buyer, order.id, 'pay', { amountCents: 1000 }).expect(409);
    expect(stale.body).toMatchObject({ code: 'price_changed', currentTotalCents: 900 });
    expect(await eventsOf(order.id)).toHaveLength(2);
    await post(buyer, order.id, 'pay', { amountCents: 900 }).expect(200);
  });

  it('when paid, shipped with a tracking number and delivered, then each step is one event and delivered is final', async () => {
    const order = await newOrder();
    await post(buyer, order.id, 'pay', { amountCents: 1000 }).expect(200);
    await post(merchant, order.id, 'ship', { trackingNumber: 'TRK-1' }).expect(200);
    const done = await post(merchant, order.id, 'deliver').expect(200);
    expect(done.body).toMatchObject({ status: 'delivered', version: 4 });
    const events = await eventsOf(order.id);
    expect(events.map((e: { type: string }) => e.type)).toEqual([
      'CREATED',
      'PAY',
      'SHIP',
      'DELIVER',
    ]);
    expect(events[2].data).toEqual({ trackingNumber: 'TRK-1' });
    expect(events[3].data).toEqual({});
    const late = await post(merchant, order.id, 'refund').expect(409);
    expect(late.body).toMatchObject({
      code: 'invalid_transition',
      currentStatus: 'delivered',
      allowedEvents: [],
    });
  });

  it.each([
    ['the buyer cancels', 'buyer', 'cancel', false],
    ['the merchant cancels', 'merchant', 'cancel', false],
    ['the merchant refunds a paid order', 'merchant', 'refund', true],
  ] as const)(
    'when %s, then the reserved stock comes back exactly once',
    async (_name, role, action, payFirst) => {
      const order = await newOrder(3);
      if (payFirst) await post(buyer, order.id, 'pay', { amountCents: 1500 }).expect(200);
      const before = await stock();
      const who = role === 'buyer' ? buyer : merchant;
      const res = await post(who, order.id, action, { reason: 'changed my mind' }).expect(200);
      expect(res.body.status).toBe(action === 'cancel' ? 'cancelled' : 'refunded');
      expect(await stock()).toBe(before + 3);
      expect((await eventsOf(order.id)).at(-1)).toMatchObject({
        type: action.toUpperCase(),
        data: { reason: 'changed my mind' },
      });
      const again = await post(who, order.id, action).expect(409);
      expect(again.body.code).toBe('invalid_transition');
      expect(await stock()).toBe(before + 3);
    },
  );

  it('when an event is not allowed in the status, then 409 invalid_transition with the status and what this caller may send', async () => {
    const order = await newOrder();
    const res = await post(merchant, order.id, 'ship').expect(409);
    expect(res.body).toMatchObject({
      code: 'invalid_transition',
      currentStatus: 'pending_payment',
      allowedEvents: ['REPRICE', 'CANCEL'],
    });
    const asBuyer = await post(buyer, order.id, 'pay', { amountCents: 1000 }).expect(200);
    expect(asBuyer.body.status).toBe('paid');
    const buyerCancel = await post(buyer, order.id, 'cancel').expect(409);
    expect(buyerCancel.body).toMatchObject({ currentStatus: 'paid', allowedEvents: [] });
  });

  it('when the payment window is over, then PAY gets payment_expired and changes nothing', async () => {
    const order = await newOrder();
    await api
      .db('orders')
      .where({ id: order.id })
      .update({ payment_due_at: new Date(Date.now() - 1000) });
    const res = await post(buyer, order.id, 'pay', { amountCents: 1000 }).expect(409);
    expect(res.body.code).toBe('payment_expired');
    // Another instance's sweeper may expire it meanwhile; a PAY it never gets.
    expect((await eventsOf(order.id)).map((e: { type: string }) => e.type)).not.toContain('PAY');
  });

  describe('If-Match', () => {
    it('when it names the current version (or *), then the transition happens', async () => {
      const order = await newOrder();
      await post(merchant, order.id, 'reprice', { totalCents: 10 })
        .set('If-Match', '"1"')
        .expect(200);
      await post(merchant, order.id, 'reprice', { totalCents: 20 })
        .set('If-Match', '*')
        .expect(200);
      await post(merchant, order.id, 'reprice', { totalCents: 30 })
        .set('If-Match', '"7", "3"')
        .expect(200);
    });

    it('when it is stale or weak, then 412 precondition_failed and nothing changes', async () => {
      const order = await newOrder();
      await post(merchant, order.id, 'reprice', { totalCents: 10 }).expect(200);
      for (const tag of ['"1"', 'W/"2"']) {
        const res = await post(buyer, order.id, 'pay', { amountCents: 10 })
          .set('If-Match', tag)
          .expect(412);
        expect(res.body).toMatchObject({ code: 'precondition_failed', currentVersion: 2 });
      }
      expect(await eventsOf(order.id)).toHaveLength(2);
    });

    it('when it is malformed, then 400 validation_failed', async () => {
      const order = await newOrder();
      const res = await post(buyer, order.id, 'pay', { amountCents: 1000 })
        .set('If-Match', '2')
        .expect(400);
      expect(res.body.errors[0].path).toBe('headers.if-match');
    });
  });

  describe('authorisation: role x action x owner', () => {
    const bodies: Record<string, object> = {
      pay: { amountCents: 1000 },
      reprice: { totalCents: 1000 },
      cancel: {},
      ship: {},
      deliver: {},
      refund: {},
    };
    const allowed: Record<string, string[]> = {
      buyer: ['pay', 'cancel'],
      merchant: ['reprice', 'cancel', 'ship', 'deliver', 'refund'],
      admin: [],
    };
    const cases = ['buyer', 'merchant', 'admin'].flatMap((role) =>
      Object.keys(bodies).flatMap((action) => [
        [role, action, true],
        ...(role === 'admin' ? [] : [[role, action, false]]),
      ]),
    ) as [string, string, boolean][];

    it.each(cases)(
      'when a %s sends %s (owner: %s), then the contract answer',
      async (role, action, owner) => {
        const order = await newOrder();
        let who: Principal;
        if (!owner) who = await principal(api.config, role as 'buyer' | 'merchant');
        else if (role === 'buyer') who = buyer;
        else if (role === 'merchant') who = merchant;
        else who = await principal(api.config, 'admin');
        const res = await post(who, order.id, action, bodies[action]);
        if (!owner) {
          expect([res.status, res.body.code]).toEqual([404, 'order_not_found']);
        } else if (!allowed[role]?.includes(action)) {
          expect([res.status, res.body.code]).toEqual([403, 'forbidden']);
        } else if (['ship', 'deliver', 'refund'].includes(action)) {
          // Allowed for this role, but not while pending_payment.
          expect([res.status, res.body.code]).toEqual([409, 'invalid_transition']);
        } else {
          expect(res.status).toBe(200);
        }
        const expectedEvents = res.status === 200 ? 2 : 1;
        expect(await eventsOf(order.id)).toHaveLength(expectedEvents);
      },
    );
  });

  it('when the order does not exist or the action is unknown, then 404', async () => {
    const order = await newOrder();
    await post(buyer, '00000000-0000-4000-8000-000000000000', 'pay', { amountCents: 1 }).expect(
      404,
    );
    await post(buyer, 'nope', 'pay', { amountCents: 1 }).expect(404);
    const res = await post(buyer, order.id, 'teleport').expect(404);
    expect(res.body.code).toBe('not_found');
  });
});
