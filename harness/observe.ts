import type { Knex } from 'knex';
import type { ApiClient } from './http/client';
import type { Identity } from './http/tokens';
import { sleep } from '../support/time';
import type { EventRecord, HoldingRow, Observation, OrderRow, ProductRow } from './types';
import { readCouponsAndGifts } from './observe-coupons';
import { asNumber, asObject } from './util/json';

interface DbOrder {
  id: string;
  buyer_id: string;
  merchant_id: string;
  status: string;
  total_cents: string | number;
  paid_cents: string | number | null;
  version: number;
  holds_stock: boolean;
  payment_due_at: Date;
  created_at: Date;
  coupon_id: string | null;
  discount_cents: string | number;
}

interface DbProduct {
  id: string;
  merchant_id: string;
  stock: number;
  stocked: number;
  per_buyer_limit: number | null;
  sale_starts_at: Date | null;
  gift_product_id: string | null;
}

interface DbEvent {
  order_id: string;
  seq: number;
  type: string;
  from_status: string | null;
  to_status: string;
  version: number;
  actor_role: string;
  actor_id: string;
  data: Record<string, unknown>;
  at: Date;
}

/** Orders of the run's merchants still `pending_payment`. */
export async function pendingCount(db: Knex, merchantIds: string[]): Promise<number> {
  const row = await db('orders')
    .whereIn('merchant_id', merchantIds)
    .andWhere('status', 'pending_payment')
    .count<{ n: string }[]>({ n: '*' });
  return Number(row[0]?.n ?? 0);
}

/**
 * What the system holds at the end, for the run's merchants: orders with their items,
 * events, products and their buyers' holdings read in one repeatable-read transaction
 * (a consistent picture), then every order's events through the API as an admin.
 */
export async function observe(
  db: Knex,
  client: ApiClient,
  admin: Identity,
  ports: () => number,
  merchantIds: string[],
  extra: Pick<Observation, 'flash' | 'probes' | 'feed' | 'webhooks'>,
): Promise<Observation> {
  const at = Date.now();
  const { orders, dbEvents, products, holdings, coupons, claims, gifts } = await db.transaction(
    async (trx) => {
      const rows = await trx<DbOrder>('orders').whereIn('merchant_id', merchantIds).select('*');
      const mine = trx('orders').whereIn('merchant_id', merchantIds).select('id');
      const items = await trx('order_items')
        .whereIn('order_id', mine)
        .select<
          { order_id: string; product_id: string; quantity: number; unit_price_cents: string }[]
        >('order_id', 'product_id', 'quantity', 'unit_price_cents');
      const events = await trx<DbEvent>('order_events')
        .whereIn('order_id', mine.clone())
        .orderBy([{ column: 'order_id' }, { column: 'seq' }])
        .select('*');
      const products = await trx<DbProduct>('products')
        .whereIn('merchant_id', merchantIds)
        .select(
          'id',
          'merchant_id',
          'stock',
          'stocked',
          'per_buyer_limit',
          'sale_starts_at',
          'gift_product_id',
        );
      const holdings = await trx('buyer_holdings')
        .whereIn('product_id', trx('products').whereIn('merchant_id', merchantIds).select('id'))
        .select<{ buyer_id: string; product_id: string; held: number }[]>(
          'buyer_id',
          'product_id',
          'held',
        );
      return {
        orders: toOrders(rows, items),
        dbEvents: group(events),
        products: products.map(toProduct),
        holdings: holdings.map((h): HoldingRow => ({
          buyerId: h.buyer_id,
          productId: h.product_id,
          held: h.held,
        })),
        ...(await readCouponsAndGifts(trx, merchantIds)),
      };
    },
    { isolationLevel: 'repeatable read' },
  );
  const apiEvents = new Map<string, EventRecord[]>();
  const queue = orders.map((o) => o.id);
  const worker = async (): Promise<void> => {
    for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
      const events = await readEvents(client, admin, ports, id);
      if (events) apiEvents.set(id, events);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return {
    orders,
    apiEvents,
    dbEvents,
    products,
    holdings,
    coupons,
    claims,
    gifts,
    ...extra,
    at,
  };
}

async function readEvents(
  client: ApiClient,
  admin: Identity,
  ports: () => number,
  id: string,
): Promise<EventRecord[] | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const { record, json } = await client.send({
      kind: 'get-order',
      method: 'GET',
      path: `/v1/orders/${id}/events`,
      actor: admin,
      port: ports(),
      unrecorded: true,
    });
    const events = asObject(json)?.events;
    if (record.status === 200 && Array.isArray(events)) return events.map(toApiEvent);
    await sleep(200 * (attempt + 1));
  }
  return undefined;
}

function toApiEvent(raw: unknown): EventRecord {
  const e = asObject(raw) ?? {};
  const actor = asObject(e.actor) ?? {};
  return {
    seq: asNumber(e.seq) ?? -1,
    type: String(e.type),
    fromStatus: typeof e.fromStatus === 'string' ? e.fromStatus : null,
    toStatus: String(e.toStatus),
    version: asNumber(e.version) ?? -1,
    actor: { role: String(actor.role), id: String(actor.id) },
    data: asObject(e.data) ?? {},
    at: String(e.at),
  };
}

function toOrders(
  rows: DbOrder[],
  items: { order_id: string; product_id: string; quantity: number; unit_price_cents: string }[],
): OrderRow[] {
  const byOrder = new Map<string, OrderRow['items']>();
  for (const i of items) {
    const list = byOrder.get(i.order_id) ?? [];
    list.push({
      productId: i.product_id,
      quantity: i.quantity,
      unitPriceCents: Number(i.unit_price_cents),
    });
    byOrder.set(i.order_id, list);
  }
  return rows.map((r) => ({
    id: r.id,
    buyerId: r.buyer_id,
    merchantId: r.merchant_id,
    status: r.status,
    totalCents: Number(r.total_cents),
    paidCents: r.paid_cents === null ? null : Number(r.paid_cents),
    version: r.version,
    holdsStock: r.holds_stock,
    paymentDueAt: r.payment_due_at.getTime(),
    createdAt: r.created_at.getTime(),
    items: byOrder.get(r.id) ?? [],
    couponId: r.coupon_id,
    discountCents: Number(r.discount_cents),
  }));
}

function group(events: DbEvent[]): Map<string, EventRecord[]> {
  const out = new Map<string, EventRecord[]>();
  for (const e of events) {
    const list = out.get(e.order_id) ?? [];
    list.push({
      seq: e.seq,
      type: e.type,
      fromStatus: e.from_status,
      toStatus: e.to_status,
      version: e.version,
      actor: { role: e.actor_role, id: e.actor_id },
      data: e.data,
      at: e.at.toISOString(),
    });
    out.set(e.order_id, list);
  }
  return out;
}

function toProduct(p: DbProduct): ProductRow {
  return {
    id: p.id,
    merchantId: p.merchant_id,
    stock: p.stock,
    stocked: p.stocked,
    perBuyerLimit: p.per_buyer_limit,
    saleStartsAt: p.sale_starts_at?.getTime() ?? null,
    giftProductId: p.gift_product_id,
  };
}
