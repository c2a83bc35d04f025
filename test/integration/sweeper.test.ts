import request from 'supertest';
import { startPaymentExpirySweeper, type Sweeper } from '../../src/jobs/payment-expiry';
import { lockKey } from '@order-coordinator/lock';
import {
  makeOrder,
  makeProduct,
  openApi,
  principal,
  type ApiContext,
  type Principal,
} from '../helpers/api';
import { waitUntil } from '../../support/time';

describe('the payment-expiry sweeper', () => {
  /** Three instances: each its own PostgreSQL pool, Redis connection and lock manager. */
  let instances: ApiContext[];
  let merchant: Principal;
  let buyer: Principal;
  beforeAll(async () => {
    instances = await Promise.all([openApi(), openApi(), openApi()]);
    merchant = await principal(instances[0]!.config, 'merchant');
    buyer = await principal(instances[0]!.config, 'buyer');
  });
  afterAll(async () => Promise.all(instances.map((i) => i.close())));

  const api = () => instances[0]!;
  const overdue = async (ids: string[]) =>
    api()
      .db('orders')
      .whereIn('id', ids)
      .update({ payment_due_at: new Date(Date.now() - 1000) });

  it('when every instance sweeps at once, then each overdue order gets exactly one EXPIRE and its stock back', async () => {
    const product = await makeProduct(api(), merchant, { stock: 100 });
    const due = await Promise.all(
      Array.from({ length: 12 }, () =>
        makeOrder(api(), buyer, [{ productId: product.id, quantity: 2 }]),
      ),
    );
    const notDue = await makeOrder(api(), buyer, [{ productId: product.id, quantity: 1 }]);
    await overdue(due.map((o) => o.id));
    const sweepers: Sweeper[] = instances.map((i) => startPaymentExpirySweeper(i, 60_000));
    try {
      // Three passes on each instance, all at the same time.
      for (let pass = 0; pass < 3; pass++) await Promise.all(sweepers.map((s) => s.runOnce()));
    } finally {
      await Promise.all(sweepers.map((s) => s.stop()));
    }
    const events = (await api()
      .db('order_events')
      .whereIn(
        'order_id',
        due.map((o) => o.id),
      )
      .andWhere({ type: 'EXPIRE' })) as {
      order_id: string;
      actor_role: string;
      actor_id: string;
      from_status: string;
      to_status: string;
      version: number;
    }[];
    expect(events).toHaveLength(due.length);
    expect(new Set(events.map((e) => e.order_id)).size).toBe(due.length);
    for (const e of events) {
      expect(e).toMatchObject({
        actor_role: 'system',
        actor_id: 'payment-expiry',
        from_status: 'pending_payment',
        to_status: 'cancelled',
        version: 2,
      });
    }
    const stock = (
      (await api().db('products').where({ id: product.id }).first()) as { stock: number }
    ).stock;
    expect(stock).toBe(100 - 1);
    const untouched = (await api().db('orders').where({ id: notDue.id }).first()) as {
      status: string;
      version: number;
    };
    expect(untouched).toMatchObject({ status: 'pending_payment', version: 1 });
  });

  it('when an order is paid just before its due time, then the sweeper leaves it paid', async () => {
    const product = await makeProduct(api(), merchant, { priceCents: 100, stock: 10 });
    const order = await makeOrder(api(), buyer, [{ productId: product.id, quantity: 1 }]);
    await request(api().app)
      .post(`/v1/orders/${order.id}/pay`)
      .set(buyer.auth)
      .send({ amountCents: 100 })
      .expect(200);
    await overdue([order.id]);
    const sweeper = startPaymentExpirySweeper(api(), 60_000);
    await sweeper.runOnce();
    await sweeper.stop();
    expect(
      ((await api().db('orders').where({ id: order.id }).first()) as { status: string }).status,
    ).toBe('paid');
  });

  it('when the timers run by themselves, then overdue orders are cancelled within a few seconds', async () => {
    const product = await makeProduct(api(), merchant, { stock: 10 });
    const order = await makeOrder(api(), buyer, [{ productId: product.id, quantity: 1 }]);
    const sweepers = instances.map((i) => startPaymentExpirySweeper(i, 200));
    try {
      await overdue([order.id]);
      await waitUntil(
        async () =>
          ((await api().db('orders').where({ id: order.id }).first()) as { status: string })
            .status === 'cancelled',
        10_000,
        'the order to expire',
      );
    } finally {
      await Promise.all(sweepers.map((s) => s.stop()));
    }
    expect(
      await api().db('order_events').where({ order_id: order.id, type: 'EXPIRE' }),
    ).toHaveLength(1);
  });
  const statuses = async (ids: string[]): Promise<Map<string, string>> => {
    const rows = await api()
      .db('orders')
      .whereIn('id', ids)
      .select<{ id: string; status: string }[]>('id', 'status');
    return new Map(rows.map((r) => [r.id, r.status]));
  };

  it('when the oldest overdue order stays busy, then one pass skips it and expires the rest', async () => {
    const sweeping = await openApi({ LOCK_WAIT_MS: '300' });
    try {
      const product = await makeProduct(api(), merchant, { stock: 100 });
      const orders = await Promise.all(
        Array.from({ length: 10 }, () =>
          makeOrder(api(), buyer, [{ productId: product.id, quantity: 1 }]),
        ),
      );
      // Due one after the other: the held one is the oldest, first in every batch.
      await Promise.all(
        orders.map((o, i) =>
          api()
            .db('orders')
            .where({ id: o.id })
            .update({ payment_due_at: new Date(Date.now() - 60_000 + i * 1000) }),
        ),
      );
      const [held, ...rest] = orders.map((o) => o.id);
      const lock = await api().locks.acquire(lockKey('order', held ?? ''), {
        ttlMs: 30_000,
        waitMs: 0,
      });
      const sweeper = startPaymentExpirySweeper(sweeping, 3_600_000);
      try {
        await sweeper.runOnce();
        const after = await statuses(orders.map((o) => o.id));
        expect(after.get(held ?? '')).toBe('pending_payment');
        for (const id of rest) expect(after.get(id)).toBe('cancelled');
        await lock.release();
        await sweeper.runOnce();
        expect((await statuses([held ?? ''])).get(held ?? '')).toBe('cancelled');
      } finally {
        await sweeper.stop();
      }
    } finally {
      await sweeping.close();
    }
  });

  it('when the sweeper stops during a large backlog, then it stops after the orders in hand', async () => {
    const product = await makeProduct(api(), merchant, { stock: 10 });
    const model = await makeOrder(api(), buyer, [{ productId: product.id, quantity: 1 }]);
    // 1,500 overdue copies of one order, in one statement (their items do not matter here).
    const { rows } = await api().db.raw<{ rows: { id: string }[] }>(
      `insert into orders (id, buyer_id, merchant_id, status, machine_state, machine_version,
         total_cents, currency, paid_cents, version, holds_stock, payment_due_at)
       select gen_random_uuid(), buyer_id, merchant_id, status, machine_state, machine_version,
         total_cents, currency, paid_cents, version, false, now() - interval '1 minute'
       from orders, generate_series(1, 1500) where id = ? returning id`,
      [model.id],
    );
    const backlog = rows.map((r) => r.id);
    const cancelled = async () =>
      [...(await statuses(backlog)).values()].filter((s) => s === 'cancelled').length;
    const sweeper = startPaymentExpirySweeper(api(), 100);
    let stopped = false;
    try {
      await waitUntil(async () => (await cancelled()) > 0, 20_000, 'the pass to start');
      await sweeper.stop();
      stopped = true;
      const atStop = await cancelled();
      expect(atStop).toBeLessThan(backlog.length);
      // Nothing of that pass runs on after stop() resolved.
      const events = await api().db('order_events').whereIn('order_id', backlog).select('seq');
      expect(events).toHaveLength(atStop);
    } finally {
      if (!stopped) await sweeper.stop();
      await api().db('orders').whereIn('id', backlog).update({ status: 'cancelled' });
    }
  });
});
