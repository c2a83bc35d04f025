import request from 'supertest';
import { startPaymentExpirySweeper, type Sweeper } from '../../src/jobs/payment-expiry';
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
});
