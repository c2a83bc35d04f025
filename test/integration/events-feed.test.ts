import request from 'supertest';
import type { Knex } from 'knex';
import { makeOrder, openShop, principal, type Shop } from '../helpers/api';
import { appendEvent, readFeedToEnd, readFeedUntil, type FeedEventBody } from '../helpers/events';

/** A transaction the test commits or rolls back when it says so. */
async function openTransaction(db: Knex): Promise<Knex.Transaction> {
  return db.transaction();
}

const ofOrders = (events: FeedEventBody[], ids: string[]) =>
  events.filter((e) => ids.includes(e.orderId));

describe('GET /v1/events: the outbox feed', () => {
  let shop: Shop;
  beforeAll(async () => {
    shop = await openShop({}, { priceCents: 1000, stock: 10_000 });
  });
  afterAll(async () => shop.api.close());

  it('when a transaction that started first commits last, then the feed does not skip its event (a naive id cursor does)', async () => {
    const { api, merchant, buyer, product } = shop;
    const items = [{ productId: product.id, quantity: 1 }];
    const [a, b, c] = [
      await makeOrder(api, buyer, items),
      await makeOrder(api, buyer, items),
      await makeOrder(api, buyer, items),
    ];
    const ours = [a.id, b.id, c.id];
    // Past the orders' CREATED events (which wait, like any event, for the oldest
    // transaction open on the shared server to end).
    const start = await readFeedUntil(
      api,
      merchant,
      undefined,
      (events) => ofOrders(events, ours).length === 3,
    );
    const naiveStart = await naiveHead(api.db);

    // A writes first (lower id, lower txid) and stays open; B writes later and commits.
    const slow = await openTransaction(api.db);
    await appendEvent(slow, a.id);
    const rolledBack = await openTransaction(api.db);
    await appendEvent(rolledBack, c.id);
    await api.db.transaction((fast) => appendEvent(fast, b.id));

    // A reader polls now: the feed holds B back (A may still commit before it) ...
    const mid = await readFeedToEnd(api, merchant, start.cursor);
    expect(ofOrders(mid.events, ours)).toEqual([]);
    // ... while a reader of "ids above the last one I saw" takes B and moves past A.
    const naiveMid = await naiveRead(api.db, naiveStart, ours);
    expect(naiveMid.map((e) => e.order_id)).toEqual([b.id]);

    await slow.commit();
    await rolledBack.rollback();
    const end = await readFeedUntil(
      api,
      merchant,
      mid.cursor,
      (events) => ofOrders(events, ours).length >= 2,
    );
    expect(ofOrders(end.events, ours).map((e) => [e.orderId, e.seq])).toEqual([
      [a.id, 2],
      [b.id, 2],
    ]);
    const naiveEnd = await naiveRead(api.db, naiveMid[naiveMid.length - 1]?.id ?? naiveStart, ours);
    expect(naiveEnd).toEqual([]); // A's event is lost to the naive reader: the trap the feed avoids
  });

  it('when transitions commit concurrently while a reader polls, then it gets every event exactly once, each order in seq order', async () => {
    const { api, merchant, buyer, product } = shop;
    const items = [{ productId: product.id, quantity: 1 }];
    const start = await readFeedToEnd(api, merchant, undefined);
    const orders = await Promise.all(
      Array.from({ length: 12 }, () => makeOrder(api, buyer, items)),
    );
    const ids = orders.map((o) => o.id);
    let cursor = start.cursor;
    const seen: FeedEventBody[] = [];
    let writing = true;
    const reader = (async () => {
      while (writing) {
        const page = await readFeedToEnd(api, merchant, cursor, 7);
        seen.push(...page.events);
        cursor = page.cursor;
      }
    })();
    // Every order gets 8 more events from concurrent transactions of varying length.
    await Promise.all(
      ids.map(async (id) => {
        for (let i = 0; i < 8; i++) {
          await api.db.transaction(async (trx) => {
            await appendEvent(trx, id);
            await trx.raw('select pg_sleep(?)', [Math.random() * 0.02]);
          });
        }
      }),
    );
    writing = false;
    await reader;
    const want = ids.length * 9;
    const rest = await readFeedUntil(
      api,
      merchant,
      cursor,
      (events) => ofOrders([...seen, ...events], ids).length >= want,
    );
    seen.push(...rest.events);

    const mine = ofOrders(seen, ids);
    expect(new Set(mine.map((e) => e.id)).size).toBe(mine.length);
    for (const id of ids) {
      expect(mine.filter((e) => e.orderId === id).map((e) => e.seq)).toEqual(
        Array.from({ length: 9 }, (_, i) => i + 1),
      );
    }
  });

  it('when a merchant reads, then it sees only its own orders; a buyer is refused and a bad cursor is 400', async () => {
    const { api, merchant, buyer, product } = shop;
    const order = await makeOrder(api, buyer, [{ productId: product.id, quantity: 1 }]);
    const other = await principal(api.config, 'merchant');
    const all = await readFeedToEnd(api, await principal(api.config, 'admin'), undefined);
    expect(all.events.some((e) => e.orderId === order.id)).toBe(true);
    const theirs = await readFeedToEnd(api, other, undefined);
    expect(theirs.events).toEqual([]);
    const mine = await readFeedToEnd(api, merchant, undefined);
    expect(mine.events.filter((e) => e.orderId === order.id).map((e) => e.type)).toEqual([
      'CREATED',
    ]);
    await request(api.app).get('/v1/events').set(buyer.auth).expect(403);
    const bad = await request(api.app).get('/v1/events?after=abc').set(merchant.auth).expect(400);
    expect(bad.body.code).toBe('validation_failed');
    await request(api.app).get('/v1/events?limit=501').set(merchant.auth).expect(400);
  });
});

/** The trap: a reader that remembers the highest event number it saw. */
async function naiveHead(db: Knex): Promise<string> {
  const row = await db('order_events').max<{ max: string }>('id as max').first();
  return row?.max ?? '0';
}

async function naiveRead(db: Knex, after: string, orderIds: string[]) {
  return db('order_events')
    .select<{ id: string; order_id: string }[]>('id', 'order_id')
    .where('id', '>', after)
    .whereIn('order_id', orderIds)
    .orderBy('id');
}
