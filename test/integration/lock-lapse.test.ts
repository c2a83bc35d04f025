import request from 'supertest';
import { makeOrder, type ApiContext, type Principal, openShop } from '../helpers/api';
import { lockKey } from '@order-coordinator/lock';
import { spawnInstance, waitReady, type SpawnedInstance } from '../helpers/instances';
import { waitUntil } from '../../support/time';

/**
 * A lock holder that freezes longer than its lease (the whole process blocks, as in a
 * long GC pause): the lock lapses, another instance changes the order, then the frozen
 * holder wakes up and writes what it decided on stale data. The version check must
 * refuse that write; with the check disabled the same schedule loses an update.
 */
describe('a lock that lapses while its holder is paused', () => {
  let api: ApiContext;
  let merchant: Principal;
  let buyer: Principal;
  let product: { id: string };
  beforeAll(async () => {
    ({ api, merchant, buyer, product } = await openShop({}, { priceCents: 1000, stock: 1000 }));
  });
  afterAll(async () => api.close());

  const LEASE_MS = 400;
  /** Long enough that the REPRICE lands while the holder is still frozen, even on a busy machine. */
  const PAUSE_MS = 4000;

  async function payWhilePausedAndRepriced(paused: SpawnedInstance) {
    const order = await makeOrder(api, buyer, [{ productId: product.id, quantity: 1 }]);
    // The buyer pays the total it read (1000) on the instance that will freeze ...
    const payment = fetch(`${paused.url}/v1/orders/${order.id}/pay`, {
      method: 'POST',
      headers: {
        ...buyer.auth,
        'Content-Type': 'application/json',
        'X-Test-Lock-Pause-Ms': String(PAUSE_MS),
      },
      body: JSON.stringify({ amountCents: 1000 }),
    });
    // ... which takes the order's lock, then freezes: no renewal, so the lease lapses
    // while it still believes it holds the lock. Then the merchant reprices elsewhere.
    const key = lockKey('order', order.id);
    await waitUntil(
      async () => (await api.redis.exists(key)) === 1,
      20_000,
      'the paused holder to take the lock',
    );
    await waitUntil(async () => (await api.redis.exists(key)) === 0, 20_000, 'its lease to lapse');
    const reprice = await request(api.app)
      .post(`/v1/orders/${order.id}/reprice`)
      .set(merchant.auth)
      .send({ totalCents: 800 });
    expect(reprice.status).toBe(200);
    const paid = await payment;
    const events = (await api.db('order_events').where({ order_id: order.id }).orderBy('seq')) as {
      type: string;
      version: number;
      data: { amountCents?: number };
    }[];
    const row = (await api.db('orders').where({ id: order.id }).first()) as {
      status: string;
      version: number;
      total_cents: number;
    };
    return {
      paid: {
        status: paid.status,
        body: (await paid.json()) as { code?: string; currentTotalCents?: number },
      },
      events,
      row,
    };
  }

  it('when the paused holder wakes, then the version check refuses its stale write and the retry sees the new price', async () => {
    const paused = await spawnInstance({
      TEST_FAULTS: 'true',
      LOCK_TTL_MS: String(LEASE_MS),
      LOG_LEVEL: 'warn',
    });
    try {
      await waitReady(paused);
      const { paid, events, row } = await payWhilePausedAndRepriced(paused);
      // Retried once from the start: re-read under a new lock, the total is now 800.
      expect(paid.status).toBe(409);
      expect(paid.body).toMatchObject({ code: 'price_changed', currentTotalCents: 800 });
      expect(events.map((e) => e.type)).toEqual(['CREATED', 'REPRICE']);
      expect(row).toMatchObject({ status: 'pending_payment', version: 2, total_cents: 800 });
      expect(paused.output()).toContain('stale write refused by the version check');
    } finally {
      await paused.stop();
    }
  });

  it('when the version check is disabled, then the same schedule loses the update (the test can see it)', async () => {
    const paused = await spawnInstance({
      TEST_FAULTS: 'true',
      TEST_DISABLE_VERSION_CHECK: 'true',
      LOCK_TTL_MS: String(LEASE_MS),
      LOG_LEVEL: 'warn',
    });
    try {
      await waitReady(paused);
      const { paid, events, row } = await payWhilePausedAndRepriced(paused);
      expect(paid.status).toBe(200);
      // Paid 1000 after a REPRICE to 800, and the order's version no longer counts its events.
      expect(events.map((e) => e.type)).toEqual(['CREATED', 'REPRICE', 'PAY']);
      expect(events[2]?.data.amountCents).toBe(1000);
      expect(row.version).toBe(2);
      expect(row.status).toBe('paid');
    } finally {
      await paused.stop();
    }
  });
});
