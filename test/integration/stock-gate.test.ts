import request from 'supertest';
import { PrivateRedis } from '../../harness/procs/redis';
import { orderKey } from '../../src/catalog/gate';
import { createOrder } from '../../src/orders/create-order';
import { openApi, principal, type ApiContext, type Principal } from '../helpers/api';
import { waitUntil } from '../../support/time';
import { dbNow, makeSaleProduct } from '../helpers/catalog';
import {
  gateLeft,
  openGatedApi,
  orderOne,
  stockOf,
  totalDecisions,
  totalSql,
  type GatedApi,
} from '../helpers/gate';

describe('the stock gate: Redis answers "no" before PostgreSQL is asked', () => {
  let gated: GatedApi[];
  let plain: ApiContext;
  let merchant: Principal;
  // A Redis of this file's own: a server spawned by another test file runs the gate's
  // reconciler on the shared one, and its resets would blur the exact counts below.
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    const settings = { REDIS_URL: redis.url };
    gated = await Promise.all([1, 2, 3].map(() => openGatedApi(settings)));
    plain = await openApi();
    merchant = await principal(plain.config, 'merchant');
  });
  afterAll(async () => {
    await Promise.all([...gated, plain].map((i) => i.close()));
    await redis.stop();
  });
  const first = () => gated[0] as GatedApi;
  const buyers = (n: number) =>
    Promise.all(Array.from({ length: n }, () => principal(plain.config, 'buyer')));

  it('when 40 buyers race for 5 units on three instances, then 5 are placed and the gate refuses the 35 others without a PostgreSQL transaction', async () => {
    const product = await makeSaleProduct(first(), merchant, { stock: 5 });
    const before = totalDecisions(gated);
    const sqlBefore = totalSql(gated);
    const results = await Promise.all(
      (await buyers(40)).map((buyer, i) => orderOne(gated[i % 3] as GatedApi, buyer, product.id)),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(5);
    const refused = results.filter((r) => r.status !== 201);
    expect(refused.map((r) => [r.status, r.body.code])).toEqual(
      Array.from({ length: 35 }, () => [409, 'out_of_stock']),
    );
    const after = totalDecisions(gated);
    // Only the 5 the gate let through opened an order transaction.
    expect(after.refused - before.refused).toBe(35);
    expect(after.taken - before.taken).toBe(5);
    expect(after.skipped - before.skipped).toBe(0);
    // Counted on the instances' own pools: one transaction per placed order; outside
    // any, at most a product lookup and a gate rebuild per instance (one statement each).
    const sqlAfter = totalSql(gated);
    expect(sqlAfter.transactions - sqlBefore.transactions).toBe(5);
    expect(sqlAfter.outside - sqlBefore.outside).toBeLessThanOrEqual(6);
    const { left, held } = await stockOf(plain, product.id);
    expect([left, held]).toEqual([0, 5]);
    expect(await gateLeft(first().redis, merchant.id, product.id)).toBe(0);
  });

  it('when a buyer passes the per-buyer limit, then the gate refuses with the code and extensions PostgreSQL gives', async () => {
    const product = await makeSaleProduct(first(), merchant, { stock: 50, perBuyerLimit: 2 });
    const [buyer] = (await buyers(1)) as [Principal];
    await orderOne(first(), buyer, product.id, 2).expect(201);
    const before = first().decisions.refused;
    const byGate = await orderOne(first(), buyer, product.id, 1);
    expect(first().decisions.refused).toBe(before + 1);
    const byDb = await orderOne(plain, buyer, product.id, 1);
    expect([byGate.status, byGate.body.code, byGate.body.limit, byGate.body.held]).toEqual([
      409,
      'purchase_limit_exceeded',
      2,
      2,
    ]);
    expect(withoutInstance(byGate.body)).toEqual(withoutInstance(byDb.body));
  });

  it('when the sale has not started, then the gate refuses with the start PostgreSQL gives, and sells once it has', async () => {
    const startsAt = new Date((await dbNow(plain)).getTime() + 1500);
    const product = await makeSaleProduct(first(), merchant, {
      stock: 5,
      saleStartsAt: startsAt.toISOString(),
    });
    const [buyer] = (await buyers(1)) as [Principal];
    const before = first().decisions.refused;
    const byGate = await orderOne(first(), buyer, product.id);
    expect(first().decisions.refused).toBe(before + 1);
    const byDb = await orderOne(plain, buyer, product.id);
    expect([byGate.status, byGate.body.code, byGate.body.saleStartsAt]).toEqual([
      409,
      'sale_not_started',
      startsAt.toISOString(),
    ]);
    expect(withoutInstance(byGate.body)).toEqual(withoutInstance(byDb.body));
    // The sale starts on the clocks' own schedule, not on anything this test waits for.
    await waitUntil(
      async () => (await dbNow(plain)).getTime() >= startsAt.getTime(),
      5000,
      'the sale to start',
    );
    await orderOne(first(), buyer, product.id).expect(201);
  });

  it('when an order is cancelled, then its unit goes back to the gate and sells again', async () => {
    const product = await makeSaleProduct(first(), merchant, { stock: 1, perBuyerLimit: 1 });
    const [a, b] = (await buyers(2)) as [Principal, Principal];
    const order = await orderOne(first(), a, product.id).expect(201);
    await orderOne(gated[1] as GatedApi, b, product.id).expect(409);
    await request(first().app)
      .post(`/v1/orders/${order.body.id as string}/cancel`)
      .set(a.auth)
      .send({})
      .expect(200);
    expect(await gateLeft(first().redis, merchant.id, product.id)).toBe(1);
    await orderOne(gated[1] as GatedApi, b, product.id).expect(201);
    // The canceller's held unit went back too: the limit lets them buy again later.
    expect(await first().redis.hget(`gate:{m:${merchant.id}}:h:${product.id}`, a.id)).toBeNull();
    expect(await stockOf(plain, product.id)).toEqual({ left: 0, held: 1 });
  });

  it('when a product is restocked during the sale, then the new units sell and no more', async () => {
    const product = await makeSaleProduct(first(), merchant, { stock: 2 });
    for (const buyer of await buyers(2)) await orderOne(first(), buyer, product.id).expect(201);
    await request((gated[2] as GatedApi).app)
      .post(`/v1/products/${product.id}/restock`)
      .set(merchant.auth)
      .send({ quantity: 3 })
      .expect(200);
    expect(await gateLeft(first().redis, merchant.id, product.id)).toBe(3);
    const results = await Promise.all(
      (await buyers(8)).map((buyer, i) => orderOne(gated[i % 3] as GatedApi, buyer, product.id)),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(await stockOf(plain, product.id)).toEqual({ left: 0, held: 5 });
  });

  it('when the gate counts a unit PostgreSQL does not have, then PostgreSQL refuses it once and the gate keeps it taken (the buyer gets the holding back)', async () => {
    const product = await makeSaleProduct(first(), merchant, { stock: 1, perBuyerLimit: 2 });
    const [a, b, c] = (await buyers(3)) as [Principal, Principal, Principal];
    await orderOne(first(), a, product.id).expect(201);
    // As a reconciler reset leaves it when it reads PostgreSQL while orders are between
    // their take and their commit: one unit more than PostgreSQL has.
    await first().redis.hset(`gate:{m:${merchant.id}}:p:${product.id}`, 'left', 1);
    const sqlBefore = first().sql.transactions;
    const refused = await orderOne(first(), b, product.id).expect(409);
    expect(refused.body.code).toBe('out_of_stock');
    expect(first().sql.transactions - sqlBefore).toBe(1);
    // Not given back: otherwise every next order would take it and be refused again.
    expect(await gateLeft(first().redis, merchant.id, product.id)).toBe(0);
    expect(await first().redis.hget(`gate:{m:${merchant.id}}:h:${product.id}`, b.id)).toBeNull();
    const refusedBefore = first().decisions.refused;
    await orderOne(first(), c, product.id).expect(409);
    expect(first().decisions.refused).toBe(refusedBefore + 1);
    expect(first().sql.transactions - sqlBefore).toBe(1);
    expect(await stockOf(plain, product.id)).toEqual({ left: 0, held: 1 });
  });

  it('when the order transaction fails after the gate took, then the units are given back, once', async () => {
    const product = await makeSaleProduct(first(), merchant, { stock: 4, perBuyerLimit: 3 });
    const [buyer] = (await buyers(1)) as [Principal];
    await orderOne(first(), buyer, product.id).expect(201);
    const api = first();
    let orderId = '';
    const failing = createOrder(api, {
      actor: { role: 'buyer', id: buyer.id },
      items: [{ productId: product.id, quantity: 2 }],
      inTransaction: async (_trx, order) => {
        orderId = order.id;
        expect(await gateLeft(api.redis, merchant.id, product.id)).toBe(1);
        throw new Error('the transaction fails after its write');
      },
    });
    await expect(failing).rejects.toThrow('the transaction fails after its write');
    expect(await gateLeft(api.redis, merchant.id, product.id)).toBe(3);
    expect(await api.redis.hget(`gate:{m:${merchant.id}}:h:${product.id}`, buyer.id)).toBe('1');
    expect(await api.redis.exists(orderKey(merchant.id, orderId))).toBe(0);
    // A second give-back of the same order gives nothing.
    await api.gate.give({
      orderId,
      merchantId: merchant.id,
      buyerId: buyer.id,
      productIds: [product.id],
    });
    expect(await gateLeft(api.redis, merchant.id, product.id)).toBe(3);
    expect(await stockOf(plain, product.id)).toEqual({ left: 3, held: 1 });
  });
});

describe('the order transaction under a sale: the product row is taken last when the gate admitted the order', () => {
  let gated: GatedApi;
  let plain: ApiContext;
  let merchant: Principal;
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await PrivateRedis.start();
    gated = await openGatedApi({ REDIS_URL: redis.url });
    plain = await openApi();
    merchant = await principal(plain.config, 'merchant');
  });
  afterAll(async () => {
    await Promise.all([gated.close(), plain.close()]);
    await redis.stop();
  });

  /**
   * Holds the product's row (as a concurrent order would) while `api` places an order
   * for it; once that order's transaction waits for the row, says whether it had
   * already written its order (it holds a lock on `orders`). Then lets it go.
   */
  async function ordersWrittenBeforeTheRow(api: ApiContext): Promise<boolean> {
    const product = await makeSaleProduct(plain, merchant, { stock: 5 });
    const buyer = await principal(plain.config, 'buyer');
    const blocker = await plain.db.transaction();
    try {
      await blocker.raw('select 1 from products where id = ? for no key update', [product.id]);
      const { rows } = await blocker.raw<{ rows: { pid: number }[] }>(
        'select pg_backend_pid() as pid',
      );
      const blockerPid = rows[0]?.pid ?? 0;
      const placing = orderOne(api, buyer, product.id).then((r) => r);
      let waiting: number | undefined;
      await waitUntil(
        async () => {
          const found = await plain.db.raw<{ rows: { pid: number }[] }>(
            'select pid from pg_stat_activity where ? = any(pg_blocking_pids(pid))',
            [blockerPid],
          );
          waiting = found.rows[0]?.pid;
          return waiting !== undefined;
        },
        10_000,
        "the order's transaction waiting for the product's row",
      );
      const locks = await plain.db.raw<{ rows: { n: number }[] }>(
        "select count(*)::int as n from pg_locks where pid = ? and relation = 'orders'::regclass",
        [waiting ?? 0],
      );
      await blocker.commit();
      const placed = await placing;
      expect(placed.status).toBe(201);
      return (locks.rows[0]?.n ?? 0) > 0;
    } finally {
      if (!blocker.isCompleted()) await blocker.rollback();
    }
  }

  it('when the gate took the units, then the order is written first and the row taken just before the commit', async () => {
    expect(await ordersWrittenBeforeTheRow(gated)).toBe(true);
  });

  it('when there is no gate, then the row is taken first, so that a refusal costs one statement', async () => {
    expect(await ordersWrittenBeforeTheRow(plain)).toBe(false);
  });
});

/** A problem body without the fields that differ per request. */
function withoutInstance(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(body).filter(([key]) => key !== 'instance' && key !== 'requestId'),
  );
}
