import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { feedHead } from '../../src/db/event-feed.repo';
import { savePosition, saveTrimmed } from '../../src/db/event-relays.repo';
import { startConsumer, type Consumer, type ConsumerSpec } from '../../src/events/consumer';
import type { FeedEvent } from '../../src/events/feed';
import { applyGifts } from '../../src/events/gifts';
import { noEventMetrics } from '../../src/events/metrics';
import { startRelay } from '../../src/events/relay';
import type { Job } from '../../src/jobs/job';
import pino from 'pino';
import { pollUntil, sleep } from '../../support/time';
import { makeOrder, openApi, principal, type ApiContext, type Principal } from '../helpers/api';
import { makeSaleProduct } from '../helpers/catalog';

describe('consumers: consumer groups, claims and the inbox; the gifts consumer', () => {
  let api: ApiContext;
  let merchant: Principal;
  let buyer: Principal;
  let stream: string;
  let relay: Job;
  const running: Consumer[] = [];

  beforeAll(async () => {
    api = await openApi();
    merchant = await principal(api.config, 'merchant');
    buyer = await principal(api.config, 'buyer');
    stream = `events:{consumers-test-${randomUUID()}}`;
    const head = (await feedHead(api.db)) ?? '0-0';
    await savePosition(api.db, stream, head);
    await saveTrimmed(api.db, stream, head);
    relay = startRelay(
      {
        db: api.db,
        redis: api.redis,
        locks: api.locks,
        logger: api.logger,
        stream,
        pollMs: 10,
        lockTtlMs: 1000,
        timeoutMs: 1000,
      },
      20,
    );
  });
  afterAll(async () => {
    await Promise.all(running.map((c) => c.stop()));
    await relay.stop();
    await api.redis.del(stream);
    await api.close();
  });

  const consumer = (spec: Partial<ConsumerSpec> & Pick<ConsumerSpec, 'name'>): Consumer => {
    const c = startConsumer({
      consumerId: randomUUID(),
      stream,
      db: api.db,
      redis: api.redis,
      logger: api.logger,
      claimIdleMs: 300,
      blockMs: 100,
      handle: applyGifts,
      ...spec,
    });
    running.push(c);
    return c;
  };

  /** A product with a gift product of `giftStock` units; orders of `orders` x 1 unit, paid. */
  async function giftSale(giftStock: number, orders: number) {
    const gift = await makeSaleProduct(api, merchant, { stock: giftStock });
    const product = await makeSaleProduct(api, merchant, { giftProductId: gift.id, stock: 1000 });
    const placed = await Promise.all(
      Array.from({ length: orders }, () =>
        makeOrder(api, buyer, [{ productId: product.id, quantity: 1 }]),
      ),
    );
    await Promise.all(
      placed.map((o) =>
        request(api.app)
          .post(`/v1/orders/${o.id}/pay`)
          .set(buyer.auth)
          .send({ amountCents: o.totalCents })
          .expect(200),
      ),
    );
    return { gift, orderIds: placed.map((o) => o.id) };
  }

  const giftsOf = async (orderId: string) =>
    (await request(api.app).get(`/v1/orders/${orderId}`).set(buyer.auth).expect(200)).body
      .gifts as { productId: string; quantity: number }[];

  const giftTotals = async (giftId: string, orderIds: string[]) => {
    const stock = (await api.db('products').where({ id: giftId }).first()) as { stock: number };
    const rows = (await api.db('order_gifts').whereIn('order_id', orderIds)) as {
      order_id: string;
      quantity: number;
    }[];
    return { stock: stock.stock, rows };
  };

  it('when the stream stays idle longer than a read blocks, then the consumer keeps reading without restarting and applies a new entry at once', async () => {
    // A read that blocks as long as a Redis command may take (1 s each by default): its
    // connection must allow for the block, or every idle read times out on the client
    // and an entry Redis hands to a read given up on waits for claimIdleMs (60 s here).
    const blockMs = api.config.REDIS_COMMAND_TIMEOUT_MS;
    const warnings: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const applied = new Map<string, number>();
    consumer({
      name: `idle-${randomUUID()}`,
      blockMs,
      claimIdleMs: 60_000,
      logger,
      handle: (event) => {
        applied.set(event.orderId, Date.now());
        return Promise.resolve();
      },
    });
    await sleep(3 * blockMs + 500);
    const product = await makeSaleProduct(api, merchant, { stock: 10 });
    const order = await makeOrder(api, buyer, [{ productId: product.id, quantity: 1 }]);
    expect(await pollUntil(() => applied.has(order.id), 20_000)).toBe(true);
    expect(warnings.filter((w) => w.includes('consumer restarts'))).toEqual([]);
  });

  it('when a consumer dies after its effect committed and before XACK, then another claims the entry and the inbox keeps the effect single', async () => {
    const name = `gifts-claim-${randomUUID().slice(0, 8)}`;
    let hung: FeedEvent | undefined;
    let duplicates = 0;
    // A: its first PAY commits, then its process "dies" (never acknowledges, never reads on).
    consumer({
      name,
      afterCommit: (event) => {
        if (hung || event.type !== 'PAY') return Promise.resolve();
        hung = event;
        return new Promise(() => undefined);
      },
    });
    const { gift, orderIds } = await giftSale(10, 3);
    expect(await pollUntil(() => hung !== undefined, 10_000, 20)).toBe(true);
    // B joins later and claims A's pending entry once it is idle for claimIdleMs.
    consumer({
      name,
      metrics: { ...noEventMetrics, consumed: (_n, _lag, dup) => void (duplicates += dup ? 1 : 0) },
    });
    const settled = await pollUntil(
      async () => {
        const [pending] = (await api.redis.xpending(stream, name)) as [number];
        return pending === 0 && duplicates > 0;
      },
      15_000,
      50,
    );
    expect(settled).toBe(true);
    for (const id of orderIds)
      expect(await giftsOf(id)).toEqual([
        expect.objectContaining({ productId: gift.id, quantity: 1 }),
      ]);
    const totals = await giftTotals(gift.id, orderIds);
    expect(totals.stock).toBe(7);
    expect(totals.rows).toHaveLength(3);
  });

  it('when a PAY is delivered twice and two consumers race on scarce gift stock, then each order gets its gifts once and stock never goes below 0', async () => {
    consumer({ name: 'gifts' });
    consumer({ name: 'gifts' });
    const { gift, orderIds } = await giftSale(5, 8);
    // The same messages again, as a relay retry or a refill would send them.
    const done = await pollUntil(
      async () => (await api.db('order_gifts').where({ product_id: gift.id })).length === 5,
      15_000,
      50,
    );
    expect(done).toBe(true);
    const entries = await api.redis.xrange(stream, '-', '+');
    for (const [, fields] of entries) {
      const event = JSON.parse(fields[1] ?? '{}') as FeedEvent;
      if (orderIds.includes(event.orderId))
        await api.redis.xadd(stream, '*', 'event', fields[1] ?? '');
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const totals = await giftTotals(gift.id, orderIds);
    expect(totals.stock).toBe(0);
    expect(totals.rows.reduce((sum, r) => sum + r.quantity, 0)).toBe(5);
    expect(new Set(totals.rows.map((r) => r.order_id)).size).toBe(5);
    const [pending] = (await api.redis.xpending(stream, 'gifts')) as [number];
    expect(pending).toBe(0);
  });
});
