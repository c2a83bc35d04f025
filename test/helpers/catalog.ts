import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { ApiContext, Principal } from './api';

/** A product as the API answers it. */
export interface ProductBody {
  id: string;
  merchantId: string;
  stock: number;
  perBuyerLimit: number | null;
  saleStartsAt: string | null;
  giftProductId: string | null;
  createdAt: string;
}

/** `POST /v1/products` with a fresh SKU; `fields` may set any field of the request. */
export async function makeSaleProduct(
  api: ApiContext,
  merchant: Principal,
  fields: Record<string, unknown> = {},
): Promise<ProductBody> {
  const res = await request(api.app)
    .post('/v1/products')
    .set(merchant.auth)
    .send({
      sku: `sku-${randomUUID().slice(0, 12)}`,
      name: 'Sale product',
      priceCents: 500,
      stock: 100,
      ...fields,
    });
  if (res.status !== 201)
    throw new Error(`product not created: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as ProductBody;
}

/** The database's clock: sale starts are judged by it, not by this process's. */
export async function dbNow(api: ApiContext): Promise<Date> {
  const { rows } = await api.db.raw<{ rows: { now: Date }[] }>('select clock_timestamp() as now');
  const now = rows[0]?.now;
  if (!now) throw new Error('no clock');
  return now;
}

/** Units of `productId` that `buyerId` holds: the holdings row, and the sum over its orders. */
export async function holdings(
  api: ApiContext,
  buyerId: string,
  productId: string,
): Promise<{ recorded: number; inOrders: number }> {
  const row = (await api
    .db('buyer_holdings')
    .where({ buyer_id: buyerId, product_id: productId })
    .first()) as { held: number } | undefined;
  const { rows } = await api.db.raw<{ rows: { sum: number | null }[] }>(
    `select sum(i.quantity)::int as sum from order_items i join orders o on o.id = i.order_id
     where o.buyer_id = ? and i.product_id = ? and o.holds_stock`,
    [buyerId, productId],
  );
  return { recorded: row?.held ?? 0, inOrders: rows[0]?.sum ?? 0 };
}
