import { randomUUID } from 'node:crypto';
import { ORDER_MACHINE_VERSION, initialSnapshot, statusOf } from '../../machines';
import type { Config } from '../config';
import type { Db, InTransaction } from '../db/knex';
import { insertOrder, type OrderRow } from '../db/orders.repo';
import { findProducts } from '../db/products.repo';
import { reserveStock } from '../db/reservations.repo';
import type { GateDecision, GateOrder, ProductFacts, StockGate } from '../catalog/gate';
import { AppError } from '../errors';
import type { Actor } from './policy';
import { refusalError } from './refusals';
import { orderView, type OrderView } from './view';

export interface CreateOrderRequest {
  actor: Actor;
  items: { productId: string; quantity: number }[];
  /** Runs in the order's transaction, after its write, with the new order. */
  inTransaction?: InTransaction<OrderView>;
}

export interface CreateOrderDeps {
  db: Db;
  config: Pick<Config, 'PAYMENT_TTL_SECONDS'>;
  /** The Redis stock gate; without it every order goes to PostgreSQL. */
  gate?: StockGate;
}

/** One line of the new order. */
interface Line {
  product: ProductFacts;
  quantity: number;
}

/**
 * Places an order. The stock gate answers first: a sold-out, over-limit or not-started
 * order is refused there without a PostgreSQL transaction, and units it took are given
 * back when PostgreSQL then refuses or fails. PostgreSQL still decides: it reserves the stock of every item or of none (never oversells: each
 * product row is decremented only while enough is left; never before a product's sale
 * starts; never past a buyer's limit), then writes the order, its items and its CREATED
 * event in the same transaction.
 * @returns the new order (version 1, pending payment).
 * @throws AppError unknown_product, mixed_merchants, out_of_stock, sale_not_started,
 * purchase_limit_exceeded, validation_failed.
 */
export async function createOrder(
  deps: CreateOrderDeps,
  req: CreateOrderRequest,
): Promise<OrderView> {
  const products = await productsOf(deps, req.items);
  const first = products.values().next().value as ProductFacts;
  const wanted = new Map<string, number>();
  for (const item of req.items)
    wanted.set(item.productId, (wanted.get(item.productId) ?? 0) + item.quantity);
  const lines = req.items.map((item) => {
    const product = products.get(item.productId) as ProductFacts;
    return { product, quantity: item.quantity };
  });
  const gateOrder: GateOrder = {
    orderId: randomUUID(),
    merchantId: first.merchant_id,
    buyerId: req.actor.id,
    wanted,
  };
  const gated: GateDecision = deps.gate ? await deps.gate.take(gateOrder) : { kind: 'skipped' };
  if (gated.kind === 'refused') throw refusalError(gated.refusal);
  try {
    return await place(deps, req, gateOrder, lines);
  } catch (error) {
    if (gated.kind === 'taken')
      await deps.gate?.give({ ...gateOrder, productIds: gateOrder.wanted.keys() });
    throw error;
  }
}

/** The order's transaction: reserves the stock in PostgreSQL, then writes the order. */
async function place(
  deps: CreateOrderDeps,
  req: CreateOrderRequest,
  gateOrder: GateOrder,
  lines: Line[],
): Promise<OrderView> {
  const first = lines[0]?.product as ProductFacts;
  const totalCents = lines.reduce((sum, l) => sum + l.quantity * l.product.price_cents, 0);
  const id = gateOrder.orderId;
  return deps.db.transaction(async (trx) => {
    const refusal = await reserveStock(trx, req.actor.id, gateOrder.wanted);
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

/**
 * The products of the items, all of one merchant and one currency; from the gate's
 * cache when there is a gate (what it reads never changes), so a refusal costs no query.
 */
async function productsOf(
  deps: CreateOrderDeps,
  items: CreateOrderRequest['items'],
): Promise<Map<string, ProductFacts>> {
  const ids = [...new Set(items.map((i) => i.productId))];
  const products = deps.gate
    ? await deps.gate.products.get(ids)
    : new Map((await findProducts(deps.db, ids)).map((p) => [p.id, p]));
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
