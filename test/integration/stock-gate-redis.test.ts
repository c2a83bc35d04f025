import { randomUUID } from 'node:crypto';
import type { PrivateRedis } from '../../harness/procs/redis';
import { IN_FLIGHT_STALE_MS, productKeys } from '../../src/catalog/gate';
import { sleep, waitUntil } from '../../support/time';
import { principal, type Principal } from '../helpers/api';
import { holdings, makeSaleProduct } from '../helpers/catalog';
import {
  gateLeft,
  openPrivateGatedApis,
  reconcilerOf,
  orderOne,
  stockOf,
  totalDecisions,
  type GatedApi,
} from '../helpers/gate';

describe('the stock gate when Redis loses its state or goes away: PostgreSQL still decides', () => {
  let redis: PrivateRedis;
  let gated: GatedApi[];
  let close: () => Promise<void>;
  let merchant: Principal;
  beforeAll(async () => {
    ({ redis, gated, close } = await openPrivateGatedApis(2));
    merchant = await principal((gated[0] as GatedApi).config, 'merchant');
  });
  afterAll(async () => close());
  const api = () => gated[0] as GatedApi;
  const buyers = (n: number) =>
    Promise.all(Array.from({ length: n }, () => principal(api().config, 'buyer')));
  const race = async (productId: string, n: number) =>
    Promise.all((await buyers(n)).map((b, i) => orderOne(gated[i % 2] as GatedApi, b, productId)));
  const ready = () =>
    waitUntil(() => gated.every((g) => g.redis.status === 'ready'), 10_000, 'Redis to reconnect');

  it('when Redis is flushed in the middle of a sale, then nothing is oversold and the product sells again at once', async () => {
    const product = await makeSaleProduct(api(), merchant, { stock: 40 });
    await race(product.id, 10);
    const [during] = await Promise.all([race(product.id, 20), api().redis.flushall()]);
    expect(during.filter((r) => r.status !== 201 && r.status !== 409)).toEqual([]);
    const [buyer] = (await buyers(1)) as [Principal];
    const flushedAt = Date.now();
    await waitUntil(
      async () => (await orderOne(api(), buyer, product.id)).status === 201,
      5000,
      'the product to sell again after FLUSHALL',
    );
    expect(Date.now() - flushedAt).toBeLessThan(5000);
    const rest = await race(product.id, 30);
    expect(rest.filter((r) => r.status !== 201 && r.status !== 409)).toEqual([]);
    expect(await stockOf(api(), product.id)).toEqual({ left: 0, held: 40 });
  });

  it('when Redis restarts empty in the middle of a sale, then nothing is oversold, no limit is passed, and the product sells again within 5 s', async () => {
    const product = await makeSaleProduct(api(), merchant, { stock: 30, perBuyerLimit: 2 });
    const greedy = await buyers(4);
    // Each greedy buyer sends 4 orders at once: at most 2 of each may be placed.
    const greedyRace = () =>
      Promise.all(
        greedy.flatMap((b) =>
          [0, 1, 2, 3].map((i) => orderOne(gated[i % 2] as GatedApi, b, product.id)),
        ),
      );
    await greedyRace();
    const restart = (async () => {
      await redis.stop();
      await redis.start();
    })();
    const [during, greedyDuring] = await Promise.all([race(product.id, 12), greedyRace(), restart]);
    const answered = [...during, ...greedyDuring].map((r) => r.status);
    expect(answered.filter((status) => status !== 201 && status !== 409)).toEqual([]);
    await ready();
    const restartedAt = Date.now();
    const [buyer] = (await buyers(1)) as [Principal];
    await waitUntil(
      async () => (await orderOne(api(), buyer, product.id)).status === 201,
      5000,
      'the product to sell again after the restart',
    );
    expect(Date.now() - restartedAt).toBeLessThan(5000);
    await race(product.id, 30);
    expect(await stockOf(api(), product.id)).toEqual({ left: 0, held: 30 });
    for (const b of greedy) {
      const held = await holdings(api(), b.id, product.id);
      expect(held.inOrders).toBeLessThanOrEqual(2);
      expect(held.recorded).toBe(held.inOrders);
    }
  });

  it('when Redis is stopped, then orders are still placed by PostgreSQL alone and nothing is oversold', async () => {
    const product = await makeSaleProduct(api(), merchant, { stock: 3 });
    await redis.stop();
    try {
      const before = totalDecisions(gated).skipped;
      const results = await race(product.id, 6);
      expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 409, 409, 409]);
      for (const r of results.filter((x) => x.status === 409))
        expect(r.body.code).toBe('out_of_stock');
      expect(totalDecisions(gated).skipped - before).toBe(6);
      expect(await stockOf(api(), product.id)).toEqual({ left: 0, held: 3 });
    } finally {
      await redis.start();
      await ready();
    }
  });

  it('when Redis stalls, then an order waits at most about its deadline and PostgreSQL places it', async () => {
    const product = await makeSaleProduct(api(), merchant, { stock: 3 });
    const [buyer] = (await buyers(1)) as [Principal];
    await orderOne(api(), buyer, product.id).expect(201);
    redis.freeze();
    try {
      const started = Date.now();
      await orderOne(api(), buyer, product.id).expect(201);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      redis.resume();
    }
    // The stalled take answers late and is undone by the give-back sent on its deadline,
    // both before this read on the same connection: the gate has 2 left, as before.
    expect(await gateLeft(api().redis, merchant.id, product.id)).toBe(2);
    const records = await api().redis.keys(`gate:{m:${merchant.id}}:o:*`);
    expect(records).toHaveLength(1);
    await orderOne(api(), buyer, product.id).expect(201);
    expect(await stockOf(api(), product.id)).toEqual({ left: 0, held: 3 });
  });

  it('when the gate drifted from PostgreSQL, then the reconciler repairs it within a period', async () => {
    const product = await makeSaleProduct(api(), merchant, { stock: 6, perBuyerLimit: 2 });
    const [buyer] = (await buyers(1)) as [Principal];
    await orderOne(api(), buyer, product.id).expect(201);
    const keys = productKeys(merchant.id, product.id);
    // A lost give-back, a process killed between gate and database: too few left.
    await api().redis.hset(keys.state, 'left', 0);
    await api().redis.hset(keys.holdings, buyer.id, 2);
    await orderOne(api(), buyer, product.id).expect(409);
    const reconciler = reconcilerOf(api(), 100);
    try {
      await waitUntil(
        async () => (await gateLeft(api().redis, merchant.id, product.id)) === 5,
        5000,
        'the reconciler to reset the units left',
      );
      expect(await api().redis.hget(keys.holdings, buyer.id)).toBe('1');
      await orderOne(api(), buyer, product.id).expect(201);
    } finally {
      await reconciler.stop();
    }
  });

  it('when the reconciler resets a product during a sale, then orders in flight keep their units, and a dead one gives them back once stale', async () => {
    const product = await makeSaleProduct(api(), merchant, { stock: 5, perBuyerLimit: 1 });
    const [placed, inFlight] = (await buyers(2)) as [Principal, Principal];
    await orderOne(api(), placed, product.id).expect(201);
    // An order past the gate whose transaction has not committed (or never will: its
    // process died): the gate counts its unit, PostgreSQL does not.
    const taken = await api().gate.take({
      orderId: randomUUID(),
      merchantId: merchant.id,
      buyerId: inFlight.id,
      wanted: new Map([[product.id, 1]]),
    });
    expect(taken.kind).toBe('taken');
    expect(await gateLeft(api().redis, merchant.id, product.id)).toBe(3);
    const reconciler = reconcilerOf(api(), 60_000);
    try {
      await reconciler.runOnce();
      // Reset from PostgreSQL (4 left), less the unit in flight: not handed out again.
      expect(await gateLeft(api().redis, merchant.id, product.id)).toBe(3);
      const keys = productKeys(merchant.id, product.id);
      expect(await api().redis.hget(keys.holdings, inFlight.id)).toBe('1');
      await orderOne(api(), inFlight, product.id).expect(409);
      // Nobody settles it: after IN_FLIGHT_STALE_MS it counts as dead and comes back.
      await sleep(IN_FLIGHT_STALE_MS + 100);
      await reconciler.runOnce();
      expect(await gateLeft(api().redis, merchant.id, product.id)).toBe(4);
      await orderOne(api(), inFlight, product.id).expect(201);
      expect(await stockOf(api(), product.id)).toEqual({ left: 3, held: 2 });
    } finally {
      await reconciler.stop();
    }
  });
});
