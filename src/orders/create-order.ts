import { randomUUID } from 'node:crypto';
import { ORDER_MACHINE_VERSION, initialSnapshot, statusOf } from '../../machines';
import type { Config } from '../config';
import type { Db, InTransaction } from '../db/knex';
import { insertOrder, type OrderRow } from '../db/orders.repo';
import { findProducts, type ProductRow } from '../db/products.repo';
import { reserveStock, type ReservationRefusal } from '../db/reservations.repo';
import { AppError } from '../errors';
import type { Actor } from './policy';
import { orderView, type OrderView } from './view';

export interface CreateOrderRequest {
  actor: Actor;
  items: { productId: string; quantity: number }[];
  /** Runs in the order's transaction, after its write, with the new order. */
  inTransaction?: InTransaction<OrderView>;
}

/**
 * Places an order: reserves the stock of every item or of none (never oversells: each
 * product row is decremented only while enough is left; never before a product's sale
 * starts; never past a buyer's limit), then writes the order, its items and its CREATED
 * event in the same transaction.
 * @returns the new order (version 1, pending payment).
 * @throws AppError unknown_product, mixed_merchants, out_of_stock, sale_not_started,
 * purchase_limit_exceeded, validation_failed.
 */
export async function createOrder(
  deps: { db: Db; config: Pick<Config, 'PAYMENT_TTL_SECONDS'> },
  req: CreateOrderRequest,
): Promise<OrderView> {
  const products = await productsOf(deps.db, req.items);
  const first = products.values().next().value as ProductRow;
  const wanted = new Map<string, number>();
  for (const item of req.items)
    wanted.set(item.productId, (wanted.get(item.productId) ?? 0) + item.quantity);
  const lines = req.items.map((item) => {
    const product = products.get(item.productId) as ProductRow;
    return { product, quantity: item.quantity };
  });
  const totalCents = lines.reduce((sum, l) => sum + l.quantity * l.product.price_cents, 0);
  const id = randomUUID();

  return deps.db.transaction(async (trx) => {
    const refusal = await reserveStock(trx, req.actor.id, wanted);
    if (refusal) throw refusalError(refusal);
    // now() is the transaction's start time: the same for every statement below.
    const { rows } = await trx.raw<{ rows: { now: Date }[] }>('select now()');
    const now = rows[0]?.now ?? new Date();
    const paymentDueAt = new Date(now.getTime() + deps.config.PAYMENT_TTL_SECONDS * 1000);
    const start = initialSnapshot({
      totalCents,
      paidCents: null,
      paymentDueAt: paymentDueAt.getTime(),
    });
    const order: OrderRow = {
      id,
      buyer_id: req.actor.id,
      merchant_id: first.merchant_id,
      status: statusOf(start),
      total_cents: totalCents,
      currency: first.currency,
      paid_cents: null,
      version: 1,
      holds_stock: true,
      payment_due_at: paymentDueAt,
      created_at: now,
      updated_at: now,
      items: lines.map((l) => ({
        productId: l.product.id,
        sku: l.product.sku,
        quantity: l.quantity,
        unitPriceCents: l.product.price_cents,
      })),
    };
    await insertOrder(
      trx,
      order,
      { state: { value: start.value, context: start.context }, version: ORDER_MACHINE_VERSION },
      {
        type: 'CREATED',
        fromStatus: null,
        toStatus: order.status,
        actorRole: req.actor.role,
        actorId: req.actor.id,
        data: { items: order.items, totalCents },
        at: now,
      },
    );
    const created = orderView(order);
    await req.inTransaction?.(trx, created);
    return created;
  });
}

/** The products of the items, all of one merchant and one currency. */
async function productsOf(
  db: Db,
  items: CreateOrderRequest['items'],
): Promise<Map<string, ProductRow>> {
  const ids = [...new Set(items.map((i) => i.productId))];
  const products = new Map((await findProducts(db, ids)).map((p) => [p.id, p]));
  const unknown = ids.filter((id) => !products.has(id));
  if (unknown.length > 0) {
    throw new AppError('unknown_product', `Unknown product ${unknown.join(', ')}.`, {
      extensions: { productIds: unknown },
    });
  }
  const merchants = new Set([...products.values()].map((p) => p.merchant_id));
  if (merchants.size > 1) {
    throw new AppError('mixed_merchants', 'All items of an order must come from one merchant.');
  }
  const currencies = new Set([...products.values()].map((p) => p.currency));
  if (currencies.size > 1) {
    throw new AppError(
      'validation_failed',
      'All items of an order must be priced in one currency.',
      {
        extensions: {
          errors: [{ path: 'items', message: 'products are priced in different currencies' }],
        },
      },
    );
  }
  return products;
}

/** The refusal of a reservation as the contract's error (its transaction rolls back). */
function refusalError(refusal: ReservationRefusal): AppError {
  const { productId } = refusal;
  switch (refusal.reason) {
    case 'out_of_stock':
      return new AppError('out_of_stock', `Not enough stock of product ${productId}.`, {
        extensions: { productId },
      });
    case 'sale_not_started': {
      const saleStartsAt = refusal.saleStartsAt.toISOString();
      return new AppError(
        'sale_not_started',
        `The sale of product ${productId} starts at ${saleStartsAt}.`,
        { extensions: { productId, saleStartsAt } },
      );
    }
    case 'purchase_limit_exceeded':
      return new AppError(
        'purchase_limit_exceeded',
        `You may hold at most ${refusal.limit} of product ${productId} and hold ${refusal.held}.`,
        { extensions: { productId, limit: refusal.limit, held: refusal.held } },
      );
  }
}
