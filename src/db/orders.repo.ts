import type { Knex } from 'knex';
import type { OrderStatus } from '../../machines';
import { insertEvent, type NewEvent } from './events.repo';

export interface OrderItemRow {
  productId: string;
  sku: string;
  quantity: number;
  unitPriceCents: number;
}

export interface OrderRow {
  id: string;
  buyer_id: string;
  merchant_id: string;
  status: OrderStatus;
  total_cents: number;
  currency: string;
  paid_cents: number | null;
  /** The coupon the order used (null without one) and the discount it gave (0 without). */
  coupon_id: string | null;
  discount_cents: number;
  version: number;
  holds_stock: boolean;
  payment_due_at: Date;
  created_at: Date;
  updated_at: Date;
  items: OrderItemRow[];
  /** Gifts issued by the gifts consumer after the order was paid. */
  gifts: { productId: string; sku: string; quantity: number }[];
}

/** An order as read for a transition, with the database's clock at the time of the read. */
export interface LoadedOrder extends OrderRow {
  db_now: Date;
}

const ITEMS = `coalesce((select json_agg(json_build_object(
    'productId', i.product_id, 'sku', i.sku, 'quantity', i.quantity,
    'unitPriceCents', i.unit_price_cents) order by i.line)
  from order_items i where i.order_id = o.id), '[]'::json) as items`;

const GIFTS = `coalesce((select json_agg(json_build_object(
    'productId', g.product_id, 'sku', g.sku, 'quantity', g.quantity) order by g.product_id)
  from order_gifts g where g.order_id = o.id), '[]'::json) as gifts`;

const COLUMNS = `o.id, o.buyer_id, o.merchant_id, o.status, o.total_cents, o.currency, o.paid_cents,
  o.coupon_id, o.discount_cents, o.version, o.holds_stock, o.payment_due_at, o.created_at, o.updated_at`;

/** One round trip: the order, its items and the database's clock. */
export async function loadOrder(db: Knex, id: string): Promise<LoadedOrder | undefined> {
  const result = await db.raw<{ rows: LoadedOrder[] }>(
    `select ${COLUMNS}, ${ITEMS}, ${GIFTS}, now() as db_now from orders o where o.id = ?`,
    [id],
  );
  return result.rows[0];
}

export interface OrderFilter {
  buyerId?: string;
  merchantId?: string;
  status?: OrderStatus;
  /** The id of the last order of the previous page. */
  after?: string;
  limit: number;
}

/** Newest first, keyset-paginated on (created_at, id). */
export async function listOrders(db: Knex, f: OrderFilter): Promise<OrderRow[]> {
  const where: string[] = [];
  const args: Knex.Value[] = [];
  const add = (clause: string, value: Knex.Value) => {
    where.push(clause);
    args.push(value);
  };
  if (f.buyerId !== undefined) add('o.buyer_id = ?', f.buyerId);
  if (f.merchantId !== undefined) add('o.merchant_id = ?', f.merchantId);
  if (f.status !== undefined) add('o.status = ?', f.status);
  if (f.after !== undefined) {
    add('(o.created_at, o.id) < (select c.created_at, c.id from orders c where c.id = ?)', f.after);
  }
  const result = await db.raw<{ rows: OrderRow[] }>(
    `select ${COLUMNS}, ${ITEMS}, ${GIFTS} from orders o
     ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
     order by o.created_at desc, o.id desc limit ?`,
    [...args, f.limit],
  );
  return result.rows;
}

/** What the order machine stored with a new order: its snapshot and the machine's version. */
export interface MachineRecord {
  state: unknown;
  version: string;
}

/**
 * Writes a new order: its row, its items (lines numbered from 1) and its first event,
 * `created` (seq and version 1). Call it in the transaction that reserved the stock.
 */
export async function insertOrder(
  trx: Knex.Transaction,
  order: OrderRow,
  machine: MachineRecord,
  created: NewEvent,
): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- a new order has no gifts row
  const { items, gifts, ...columns } = order;
  await trx('orders').insert({
    ...columns,
    machine_state: JSON.stringify(machine.state),
    machine_version: machine.version,
  });
  await trx('order_items').insert(
    items.map((item, i) => ({
      order_id: order.id,
      line: i + 1,
      product_id: item.productId,
      sku: item.sku,
      quantity: item.quantity,
      unit_price_cents: item.unitPriceCents,
    })),
  );
  await insertEvent(trx, order.id, 1, created);
}
