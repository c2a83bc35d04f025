import type { RedisClient } from '@order-coordinator/lock';
import request from 'supertest';
import { CouponGate, StockGate, productKeys, type GateOutcome } from '../../src/catalog/gate';
import type { Config } from '../../src/config';
import { PrivateRedis } from '../../harness/procs/redis';
import { createApp } from '../../src/http/app';
import { startGateReconciler, type GateReconciler } from '../../src/jobs/gate-reconcile';
import { LockManager } from '@order-coordinator/lock';
import type { ApiContext, Principal } from './api';
import { openContext } from './context';

/** An app instance with a stock gate and a coupon gate, and how often each answered each way. */
export interface GatedApi extends ApiContext {
  gate: StockGate;
  decisions: Record<GateOutcome, number>;
  couponGate: CouponGate;
  couponDecisions: Record<GateOutcome, number>;
  /** Transactions (BEGIN) this instance opened, and statements it sent outside them. */
  sql: { transactions: number; outside: number };
}

/** The real app on the test database and Redis (or `overrides`), with its own gate. */
export async function openGatedApi(
  overrides: Partial<Record<keyof Config, string>> = {},
): Promise<GatedApi> {
  const ctx = await openContext(overrides);
  const locks = new LockManager(ctx.redis);
  const decisions: Record<GateOutcome, number> = { taken: 0, refused: 0, skipped: 0 };
  const gate = new StockGate(ctx.redis, ctx.db, {
    timeoutMs: ctx.config.REDIS_COMMAND_TIMEOUT_MS,
    metrics: { decided: (outcome) => (decisions[outcome] += 1) },
  });
  const couponDecisions: Record<GateOutcome, number> = { taken: 0, refused: 0, skipped: 0 };
  const couponGate = new CouponGate(ctx.redis, ctx.db, {
    timeoutMs: ctx.config.REDIS_COMMAND_TIMEOUT_MS,
    metrics: { decided: (outcome) => (couponDecisions[outcome] += 1) },
  });
  const app = createApp({ ...ctx, locks, gate, couponGate });
  const sql = { transactions: 0, outside: 0 };
  ctx.db.on('query', (query: { sql: string; __knexTxId?: string }) => {
    if (/^begin/i.test(query.sql)) sql.transactions += 1;
    else if (query.__knexTxId === undefined) sql.outside += 1;
  });
  return {
    ...ctx,
    app,
    locks,
    gate,
    decisions,
    couponGate,
    couponDecisions,
    sql,
    close: async () => {
      await locks.close();
      await ctx.close();
    },
  };
}

/**
 * `n` gated instances on a Redis of the file's own: exact gate counts need a Redis that
 * no other file's servers reconcile, and FLUSHALL or a stop must never reach the shared
 * one. `close` in afterAll.
 */
export async function openPrivateGatedApis(
  n: number,
  timeoutMs = 200,
): Promise<{ redis: PrivateRedis; gated: GatedApi[]; close: () => Promise<void> }> {
  const redis = await PrivateRedis.start();
  const settings = { REDIS_URL: redis.url, REDIS_COMMAND_TIMEOUT_MS: String(timeoutMs) };
  const gated = await Promise.all(Array.from({ length: n }, () => openGatedApi(settings)));
  return {
    redis,
    gated,
    close: async () => {
      await Promise.all(gated.map((i) => i.close()));
      await redis.stop();
    },
  };
}

/** The reconciler of both gates of `api`, every `intervalMs`; `stop()` it at the end. */
export function reconcilerOf(api: GatedApi, intervalMs: number): GateReconciler {
  const { gate, couponGate, locks, logger } = api;
  return startGateReconciler(
    { gate, others: [couponGate], locks, logger, lockTtlMs: 5000 },
    intervalMs,
  );
}

/** Sums the stock gates' (or the coupon gates') answers over several instances. */
export function totalDecisions(
  apis: GatedApi[],
  which: 'decisions' | 'couponDecisions' = 'decisions',
): Record<GateOutcome, number> {
  const total: Record<GateOutcome, number> = { taken: 0, refused: 0, skipped: 0 };
  for (const api of apis)
    for (const key of Object.keys(total) as GateOutcome[]) total[key] += api[which][key];
  return total;
}

/** PostgreSQL statements and transactions of several instances so far. */
export function totalSql(apis: GatedApi[]): GatedApi['sql'] {
  return {
    outside: apis.reduce((sum, api) => sum + api.sql.outside, 0),
    transactions: apis.reduce((sum, api) => sum + api.sql.transactions, 0),
  };
}

/** `POST /v1/orders` of one item. */
export function orderOne(api: ApiContext, buyer: Principal, productId: string, quantity = 1) {
  return request(api.app)
    .post('/v1/orders')
    .set(buyer.auth)
    .send({ items: [{ productId, quantity }] });
}

/** The gate's units left of a product (undefined when it has no state). */
export async function gateLeft(
  redis: RedisClient,
  merchantId: string,
  productId: string,
): Promise<number | undefined> {
  const left = await redis.hget(productKeys(merchantId, productId).state, 'left');
  return left === null ? undefined : Number(left);
}

/** PostgreSQL's units left of a product, and the units its orders hold. */
export async function stockOf(
  api: ApiContext,
  productId: string,
): Promise<{ left: number; held: number }> {
  const { rows } = await api.db.raw<{ rows: { left: number; held: number }[] }>(
    `select p.stock as left, coalesce((select sum(i.quantity)::int from order_items i
       join orders o on o.id = i.order_id where i.product_id = p.id and o.holds_stock), 0) as held
     from products p where p.id = ?`,
    [productId],
  );
  const row = rows[0];
  if (!row) throw new Error(`no product ${productId}`);
  return row;
}
