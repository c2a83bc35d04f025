import request from 'supertest';
import { lockKey } from '@order-coordinator/lock';
import { lockKeys } from '@order-coordinator/lock';
import { waitUntil } from '../../support/time';
import {
  makeOrder,
  makeProduct,
  openApi,
  principal,
  type ApiContext,
  type Principal,
  openShop,
} from '../helpers/api';

describe('Idempotency-Key', () => {
  let api: ApiContext;
  let merchant: Principal;
  let buyer: Principal;
  let product: { id: string };
  beforeAll(async () => {
    // A short wait so that a held order lock turns into order_busy quickly.
    ({ api, merchant, buyer, product } = await openShop(
      { LOCK_WAIT_MS: '300' },
      { priceCents: 500, stock: 100_000 },
    ));
  });
  afterAll(async () => api.close());

  const newOrder = () => makeOrder(api, buyer, [{ productId: product.id, quantity: 2 }]);
  const pay = (orderId: string, key: string, amountCents = 1000, who = buyer) =>
    request(api.app)
      .post(`/v1/orders/${orderId}/pay`)
      .set(who.auth)
      .set('Idempotency-Key', key)
      .send({ amountCents });
  const eventCount = async (orderId: string) =>
    Number(
      (
        await api
          .db('order_events')
          .where({ order_id: orderId })
          .count<{ count: string }[]>('* as count')
      )[0]?.count,
    );

  it('when a request is repeated with the same key and body, then the first answer is replayed and nothing happens twice', async () => {
    const order = await newOrder();
    const first = await pay(order.id, `k-${order.id}`).expect(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await pay(order.id, `k-${order.id}`).expect(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.body).toEqual(first.body);
    expect(await eventCount(order.id)).toBe(2);
  });

  it('when the same key comes with another body, then 422 idempotency_key_reused', async () => {
    const order = await newOrder();
    await pay(order.id, `r-${order.id}`).expect(200);
    const res = await pay(order.id, `r-${order.id}`, 999).expect(422);
    expect(res.body.code).toBe('idempotency_key_reused');
  });

  it('when the key is reused on another order, then 422 too (the key names one request)', async () => {
    const a = await newOrder();
    const b = await newOrder();
    await pay(a.id, `x-${a.id}`).expect(200);
    await pay(b.id, `x-${a.id}`).expect(422);
    expect(await eventCount(b.id)).toBe(1);
  });

  it('when another principal uses the same key, then it is a different key', async () => {
    const other = await principal(api.config, 'buyer');
    const mine = await newOrder();
    const theirs = await makeOrder(api, other, [{ productId: product.id, quantity: 2 }]);
    await pay(mine.id, 'shared-key').expect(200);
    await pay(theirs.id, 'shared-key', 1000, other).expect(200);
  });

  it('when a refused request is repeated, then the same refusal is replayed', async () => {
    const order = await newOrder();
    const first = await pay(order.id, `p-${order.id}`, 1).expect(409);
    expect(first.body.code).toBe('price_changed');
    const again = await pay(order.id, `p-${order.id}`, 1).expect(409);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
  });

  it('when the first request is still running, then 409 idempotency_key_in_flight; afterwards the answer is replayed', async () => {
    const patient = await openApi({ LOCK_WAIT_MS: '10000' });
    try {
      const order = await newOrder();
      const send = () =>
        request(patient.app)
          .post(`/v1/orders/${order.id}/pay`)
          .set(buyer.auth)
          .set('Idempotency-Key', `f-${order.id}`)
          .send({ amountCents: 1000 });
      // Hold the order's lock so that the first request waits inside the coordinator.
      const held = await api.locks.acquire(lockKey('order', order.id), {
        ttlMs: 10_000,
        waitMs: 0,
      });
      const first = send().then((r) => r);
      // It has claimed the key once it waits in the lock's queue (the claim comes first).
      const queue = lockKeys(lockKey('order', order.id)).queue;
      await waitUntil(
        async () => (await api.redis.llen(queue)) === 1,
        5000,
        'the first request to wait for the lock',
      );
      const second = await send().expect(409);
      expect(second.body.code).toBe('idempotency_key_in_flight');
      expect(second.headers['retry-after']).toBe('1');
      await held.release();
      expect((await first).status).toBe(200);
      const third = await send().expect(200);
      expect(third.headers['idempotent-replayed']).toBe('true');
      expect(await eventCount(order.id)).toBe(2);
    } finally {
      await patient.close();
    }
  });

  it('when the order is busy, then 409 order_busy with Retry-After, and the key is free for the retry', async () => {
    const order = await newOrder();
    const held = await api.locks.acquire(lockKey('order', order.id), { ttlMs: 5000, waitMs: 0 });
    const busy = await pay(order.id, `b-${order.id}`).expect(409);
    expect(busy.body.code).toBe('order_busy');
    expect(Number(busy.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await held.release();
    const retry = await pay(order.id, `b-${order.id}`).expect(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(await eventCount(order.id)).toBe(2);
  });

  it('when 12 retries with one key race, then exactly one event and every success is the same answer', async () => {
    const order = await newOrder();
    const results = await Promise.all(
      Array.from({ length: 12 }, () => pay(order.id, `race-${order.id}`)),
    );
    const ok = results.filter((r) => r.status === 200);
    const inFlight = results.filter(
      (r) => r.status === 409 && r.body.code === 'idempotency_key_in_flight',
    );
    expect(ok.length + inFlight.length).toBe(12);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of ok) expect(r.body).toEqual(ok[0]?.body);
    expect(await eventCount(order.id)).toBe(2);
  });

  it('when an order is created twice with one key, then one order and one reservation', async () => {
    const p = await makeProduct(api, merchant, { stock: 10 });
    const send = () =>
      request(api.app)
        .post('/v1/orders')
        .set(buyer.auth)
        .set('Idempotency-Key', `create-${p.id}`)
        .send({ items: [{ productId: p.id, quantity: 3 }] });
    const first = await send().expect(201);
    const again = await send().expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.body.id).toBe(first.body.id);
    expect(
      ((await api.db('products').where({ id: p.id }).first()) as { stock: number }).stock,
    ).toBe(7);
  });
});
