import type { OrderStatus } from '../../machines';
import type { Db } from '../db/knex';
import { findProduct } from '../db/products.repo';
import { listEvents } from '../db/events.repo';
import { listOrders, loadOrder } from '../db/orders.repo';
import { AppError } from '../errors';
import { maySee, type Actor } from './policy';
import { eventView, orderView, productView, type OrderView } from './view';
import { idCursor } from '../cursor';

/** The order, if `actor` may see it; to anyone else it does not exist. */
export async function getOrder(db: Db, actor: Actor, id: string): Promise<OrderView> {
  const order = await loadOrder(db, id);
  if (!order || !maySee(actor, order))
    throw new AppError('order_not_found', `Order ${id} does not exist.`);
  return orderView(order);
}

export async function getOrderEvents(db: Db, actor: Actor, id: string) {
  await getOrder(db, actor, id);
  return { events: (await listEvents(db, id)).map(eventView) };
}

export interface ListRequest {
  status?: OrderStatus;
  limit: number;
  /** The id of the last order of the previous page (decoded from the cursor). */
  after?: string;
}

/** Newest first: a buyer's own orders, a merchant's own, or all for an admin. */
export async function listVisibleOrders(db: Db, actor: Actor, req: ListRequest) {
  const rows = await listOrders(db, {
    buyerId: actor.role === 'buyer' ? actor.id : undefined,
    merchantId: actor.role === 'merchant' ? actor.id : undefined,
    status: req.status,
    after: req.after,
    limit: req.limit + 1,
  });
  const { items, nextCursor } = orderCursor.page(rows, req.limit);
  return { orders: items.map(orderView), nextCursor };
}

export async function getProduct(db: Db, id: string) {
  const product = await findProduct(db, id);
  if (!product) throw new AppError('product_not_found', `Product ${id} does not exist.`);
  return productView(product);
}

const orderCursor = idCursor('o');
/** @returns the order id, or undefined when the cursor is not an order list's. */
export const decodeCursor = orderCursor.decode;
