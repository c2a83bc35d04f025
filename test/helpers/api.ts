import { randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import type { Config } from '../../src/config';
import { createApp } from '../../src/http/app';
import { signToken } from '../../src/http/auth';
import { LockManager } from '@order-coordinator/lock';
import type { Role } from '../../src/orders/policy';
import { openContext, type TestContext } from './context';

export interface ApiContext extends TestContext {
  app: Express;
  locks: LockManager;
}

/** The real app on the test database and Redis, with its own lock manager. */
export async function openApi(
  overrides: Partial<Record<keyof Config, string>> = {},
): Promise<ApiContext> {
  const ctx = await openContext(overrides);
  const locks = new LockManager(ctx.redis);
  const app = createApp({ ...ctx, locks });
  return {
    ...ctx,
    app,
    locks,
    close: async () => {
      await locks.close();
      await ctx.close();
    },
  };
}

/** A principal with a fresh random id and its bearer header. */
export interface Principal {
  role: Role;
  id: string;
  auth: { Authorization: string };
}

export async function principal(
  config: Config,
  role: Role,
  id = `${role}-${randomUUID().slice(0, 8)}`,
): Promise<Principal> {
  const token = await signToken(config.AUTH_JWT_SECRET, { role, sub: id }, 3600);
  return { role, id, auth: { Authorization: `Bearer ${token}` } };
}

export async function makeProduct(
  api: ApiContext,
  merchant: Principal,
  fields: { priceCents?: number; stock?: number; currency?: string } = {},
): Promise<{ id: string; priceCents: number; stock: number }> {
  const res = await request(api.app)
    .post('/v1/products')
    .set(merchant.auth)
    .send({
      sku: `sku-${randomUUID().slice(0, 12)}`,
      name: 'Test product',
      priceCents: fields.priceCents ?? 1000,
      stock: fields.stock ?? 100,
      ...(fields.currency ? { currency: fields.currency } : {}),
    });
  if (res.status !== 201)
    throw new Error(`product not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function makeOrder(
  api: ApiContext,
  buyer: Principal,
  items: { productId: string; quantity: number }[],
): Promise<{ id: string; version: number; totalCents: number; status: string }> {
  const res = await request(api.app).post('/v1/orders').set(buyer.auth).send({ items });
  if (res.status !== 201)
    throw new Error(`order not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** An app with a merchant, a buyer and one product of that merchant's. */
export interface Shop {
  api: ApiContext;
  merchant: Principal;
  buyer: Principal;
  product: { id: string; priceCents: number; stock: number };
}

/** The usual set-up of an API test file: `({ api, merchant, buyer, product } = await openShop())`. */
export async function openShop(
  overrides: Partial<Record<keyof Config, string>> = {},
  product: { priceCents?: number; stock?: number } = {},
): Promise<Shop> {
  const api = await openApi(overrides);
  const merchant = await principal(api.config, 'merchant');
  const buyer = await principal(api.config, 'buyer');
  return { api, merchant, buyer, product: await makeProduct(api, merchant, product) };
}
