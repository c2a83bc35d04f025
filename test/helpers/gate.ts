import type Redis from 'ioredis';
import request from 'supertest';
import { StockGate, productKeys, type GateOutcome } from '../../src/catalog/gate';
import type { Config } from '../../src/config';
import { createApp } from '../../src/http/app';
import { LockManager } from '../../src/lock';
import type { ApiContext, Principal } from './api';
import { openContext } from './context';

/** An app instance with a stock gate, and how often its gate answered each way. */
export interface GatedApi extends ApiContext {
  gate: StockGate;
  decisions: Record<GateOutcome, number>;
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
  const app = createApp({ ...ctx, locks, gate });
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
    sql,
    close: async () => {
      await locks.close();
      await ctx.close();
    },
  };
}

/** Sums the gates' answers over several instances. */
export function totalDecisions(apis: GatedApi[]): Record<GateOutcome, number> {
  const total: Record<GateOutcome, number> = { taken: 0, refused: 0, skipped: 0 };
  for (const api of apis)
    for (const key of Object.keys(total) as GateOutcome[]) total[key] += api.decisions[key];
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
  redis: Redis,
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
