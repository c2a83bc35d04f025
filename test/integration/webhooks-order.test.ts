import request from 'supertest';
import { claimDeliveries, scheduleDeliveries } from '../../src/db/webhooks.repo';
import { createScratchDatabase, type ScratchDatabase } from '../../support/database';
import { makeOrder, openShop, type Shop } from '../helpers/api';

/**
 * Consumers on several instances schedule an order's events in any order: event n + 1's
 * delivery row can exist while event n is still in another consumer's transaction. A
 * database of its own: claiming leases rows, and other files' senders must not lose any.
 */
describe('webhook deliveries of one order and endpoint', () => {
  let scratch: ScratchDatabase;
  let shop: Shop;
  beforeAll(async () => {
    scratch = await createScratchDatabase(process.env.DATABASE_URL ?? '', 'webhooks_order');
    shop = await openShop({ DATABASE_URL: scratch.url }, { priceCents: 700 });
  });
  afterAll(async () => {
    await shop?.api.close();
    await scratch?.drop();
  });

  it('when event n + 1 is scheduled before event n, then it is not sent until n is scheduled, and n goes first', async () => {
    const { api, merchant, buyer, product } = shop;
    await request(api.app)
      .post('/v1/webhooks')
      .set(merchant.auth)
      .send({ url: 'http://127.0.0.1:9/hooks' })
      .expect(201);
    const order = await makeOrder(api, buyer, [{ productId: product.id, quantity: 1 }]);
    await request(api.app)
      .post(`/v1/orders/${order.id}/pay`)
      .set(buyer.auth)
      .send({ amountCents: 700 })
      .expect(200);
    const events = await api
      .db('order_events')
      .where({ order_id: order.id })
      .orderBy('seq')
      .select<{ seq: number; type: string; at: Date }[]>('seq', 'type', 'at');
    expect(events.map((e) => e.type)).toEqual(['CREATED', 'PAY']);
    const schedule = (e: { seq: number; type: string; at: Date }) =>
      api.db.transaction((trx) =>
        scheduleDeliveries(
          trx,
          {
            id: `e-${order.id.slice(0, 8)}-${e.seq}`,
            orderId: order.id,
            seq: e.seq,
            type: e.type,
            at: e.at.toISOString(),
          },
          JSON.stringify({ seq: e.seq }),
        ),
      );
    const [created, paid] = events as [(typeof events)[0], (typeof events)[0]];
    expect(await schedule(paid)).toBe(1);
    expect(await claimDeliveries(api.db, 10, 0)).toEqual([]);
    expect(await schedule(created)).toBe(1);
    const claimed = await claimDeliveries(api.db, 10, 60_000);
    expect(claimed.map((d) => JSON.parse(d.body) as { seq: number })).toEqual([{ seq: 1 }]);
  });
});
