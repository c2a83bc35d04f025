import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { ORDER_MACHINE_VERSION, initialSnapshot, statusOf } from '../../machines';
import type { Config } from '../config';
import type { Db, InTransaction } from '../db/knex';
import { reserveClaim } from '../db/coupons.repo';
import { insertOrder, type OrderRow } from '../db/orders.repo';
import { uniqueViolation } from '../db/pg-errors';
import { findProducts } from '../db/products.repo';
import { reserveStock } from '../db/reservations.repo';
import type { GateDecision, GateOrder, ProductFacts, StockGate } from '../catalog/gate';
import { unavailableError } from '../coupons/refusals';
import { AppError } from '../errors';
import type { TransitionFaults } from './faults';
import type { Actor } from './policy';
import { refusalError } from './refusals';
import { orderView, type OrderView } from './view';

export interface CreateOrderRequest {
  actor: Actor;
  items: { productId: string; quantity: number }[];
  /** A coupon the buyer claimed; its claim is reserved by the order. */
  couponId?: string | undefined;
  /** Runs in the order's transaction, after its write, with the new order. */
  inTransaction?: InTransaction<OrderView>;
}

export interface CreateOrderDeps {
  db: Db;
  config: Pick<Config, 'PAYMENT_TTL_SECONDS'>;
  /** The Redis stock gate; without it every order goes to PostgreSQL. */
  gate?: StockGate;
  /** Test-only faults; absent in production. */
  faults?: Pick<TransitionFaults, 'afterGate'>;
}

/** One line of the new order. */
interface Line {
  product: ProductFacts;
  quantity: number;
}

/**
 * Places an order. The stock gate answers first: a sold-out, over-limit or not-started
 * order is refused there without a PostgreSQL transaction, and units it took are given
 * back when PostgreSQL then refuses or fails (except the units of a product PostgreSQL
 * found sold out: the gate had counted units that are not there). PostgreSQL still
 * decides: it reserves the stock of every item or of none (never oversells: each product
 * row is decremented only while enough is left; never before a product's sale
 * starts; never past a buyer's limit), then writes the order, its items and its CREATED
 * event in the same transaction. With a coupon, the buyer's claim is reserved by the
 * order in that transaction too (after the stock: one lock order everywhere), and the
 * order's total is the items' sum less the coupon's discount, never below 0.
 * @returns the new order (version 1, pending payment).
 * @throws AppError unknown_product, mixed_merchants, out_of_stock, sale_not_started,
 * purchase_limit_exceeded, coupon_unavailable, validation_failed.
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
  if (gated.kind === 'taken') deps.faults?.afterGate?.();
  try {
    const order = await place(deps, req, gateOrder, lines, gated.kind === 'taken');
    // PostgreSQL counts the units now; not awaited: a missed settle goes stale in 1.5 s.
    if (gated.kind === 'taken') void deps.gate?.settle(gateOrder);
    return order;
  } catch (error) {
    if (gated.kind === 'taken') {
      const productIds = gateOrder.wanted.keys();
      await deps.gate?.give({ ...gateOrder, productIds, soldOut: soldOutIn(error) });
    }
    throw error;
  }
}

/**
 * The product PostgreSQL refused as out of stock, when that is why the order failed
 * (the gate's own refusals never get here): the gate keeps those units taken.
 */
function soldOutIn(error: unknown): string | undefined {
  if (!(error instanceof AppError) || error.code !== 'out_of_stock') return undefined;
  const { productId } = error.extensions;
  return typeof productId === 'string' ? productId : undefined;
}

/**
 * The order's transaction. When the stock gate took the units (PostgreSQL will rarely
 * refuse) and there is no coupon, it writes the order first and takes the stock last:
 * the product's row is a sale's one point of contention, and a transaction holds its
 * row lock from the take to the commit, so taken last it is held for one statement and
 * the commit instead of the order's inserts too (a refusal rolls the order's rows back).
 * Otherwise it takes the stock first, so that a refusal costs one statement; with a
 * coupon the claim needs the stock taken first anyway (one lock order everywhere: the
 * stock, then the claim) and gives the discount the order's rows need.
 */
async function place(
  deps: CreateOrderDeps,
  req: CreateOrderRequest,
  gateOrder: GateOrder,
  lines: Line[],
  admitted: boolean,
): Promise<OrderView> {
  const first = lines[0]?.product as ProductFacts;
  const itemsCents = lines.reduce((sum, l) => sum + l.quantity * l.product.price_cents, 0);
  const { couponId } = req;
  const reserve = async (trx: Knex.Transaction) => {
    const refusal = await reserveStock(trx, req.actor.id, gateOrder.wanted);
    if (refusal) throw refusalError(refusal);
  };
  const placing = deps.db.transaction(async (trx) => {
    if (admitted && couponId === undefined) {
      const created = await writeOrder(deps, req, trx, { gateOrder, lines, itemsCents }, 0);
      await reserve(trx);
      return created;
    }
    await reserve(trx);
    if (couponId === undefined)
      return writeOrder(deps, req, trx, { gateOrder, lines, itemsCents }, 0);
    const claim = await reserveClaim(trx, {
      couponId,
      buyerId: req.actor.id,
      merchantId: first.merchant_id,
      orderId: gateOrder.orderId,
      itemsCents,
    });
    if ('refusal' in claim) throw unavailableError(couponId, claim.refusal);
    const discountCents = Math.min(claim.discountCents, itemsCents);
    return writeOrder(deps, req, trx, { gateOrder, lines, itemsCents }, discountCents);
  });
  try {
    return await placing;
  } catch (error) {
    // The database's second line (one order that still holds a claim per buyer and
    // coupon): the claim's conditional update above already refuses such an order.
    if (couponId !== undefined && uniqueViolation(error) === 'orders_one_live_order_per_claim')
      throw unavailableError(couponId, 'reserved');
    throw error;
  }
}

/**
 * Writes the order, its items and its CREATED event, and stores the request's answer
 * (`inTransaction`), in the order's transaction. @returns the order's view.
 */
async function writeOrder(
  deps: CreateOrderDeps,
  req: CreateOrderRequest,
  trx: Knex.Transaction,
  order: { gateOrder: GateOrder; lines: Line[]; itemsCents: number },
  discountCents: number,
): Promise<OrderView> {
  const { gateOrder, lines, itemsCents } = order;
  const first = lines[0]?.product as ProductFacts;
  const totalCents = itemsCents - discountCents;
  // now() is the transaction's start time: the same for every statement below.
  const { rows } = await trx.raw<{ rows: { now: Date }[] }>('select now()');
  const now = rows[0]?.now ?? new Date();
  const paymentDueAt = new Date(now.getTime() + deps.config.PAYMENT_TTL_SECONDS * 1000);
  const start = initialSnapshot({
    totalCents,
    paidCents: null,
    paymentDueAt: paymentDueAt.getTime(),
  });
  const row: OrderRow = {
    id: gateOrder.orderId,
    buyer_id: req.actor.id,
    merchant_id: first.merchant_id,
    status: statusOf(start),
    total_cents: totalCents,
    currency: first.currency,
    paid_cents: null,
    coupon_id: req.couponId ?? null,
    discount_cents: discountCents,
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
    gifts: [],
  };
  await insertOrder(
    trx,
    row,
    { state: { value: start.value, context: start.context }, version: ORDER_MACHINE_VERSION },
    {
      type: 'CREATED',
      fromStatus: null,
      toStatus: row.status,
      actorRole: req.actor.role,
      actorId: req.actor.id,
      data: { items: row.items, couponId: row.coupon_id, discountCents, totalCents },
      at: now,
    },
  );
  const created = orderView(row);
  await req.inTransaction?.(trx, created);
  return created;
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
