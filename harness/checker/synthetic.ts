import {
  EVENT_OF,
  type Action,
  type EventRecord,
  type FlashObservation,
  type HoldingRow,
  type Observation,
  type OrderRow,
  type Principal,
  type ProductRow,
  type RequestRecord,
  type SaleProbe,
} from '../types';
import { hashOf } from '../util/json';
import { replayByContract } from './replay';

const T0 = Date.UTC(2026, 0, 1);

/**
 * Builds small histories by hand for the checker's unit tests: orders whose events,
 * requests and final rows agree (a good history) unless a test bends one of them.
 */
export class HistoryBuilder {
  readonly requests: RequestRecord[] = [];
  readonly orders: OrderBuilder[] = [];
  readonly products: ProductRow[] = [];
  readonly probes: SaleProbe[] = [];
  /** `buyer_holdings` as the database has them; by default what the orders hold. */
  holdings: HoldingRow[] | undefined;
  now = 0;
  private nextId = 1;

  /** Advances the clock; returns the new time (ms since the start). */
  tick(ms = 10): number {
    this.now += ms;
    return this.now;
  }

  product(
    stocked: number,
    merchantId = 'm1',
    sale: Partial<Pick<ProductRow, 'perBuyerLimit' | 'saleStartsAt'>> = {},
  ): ProductRow {
    const p: ProductRow = {
      id: `p${this.products.length + 1}`,
      merchantId,
      stock: stocked,
      stocked,
      perBuyerLimit: sale.perBuyerLimit ?? null,
      saleStartsAt: sale.saleStartsAt ?? null,
      giftProductId: null,
    };
    this.products.push(p);
    return p;
  }

  /** Wall-clock time (Unix ms) of a moment of the history (ms since its start). */
  wall(ms = this.now): number {
    return T0 + ms;
  }

  /**
   * An order created by a 201 response, with its CREATED event; reserves its items. Its
   * `createdAt` is 1 ms after the request was sent.
   */
  order(
    totalCents = 1000,
    items: { product: ProductRow; quantity: number }[] = [],
    buyerId = 'b1',
  ): OrderBuilder {
    const id = `o${this.orders.length + 1}`;
    for (const { product, quantity } of items) product.stock -= quantity;
    const o = new OrderBuilder(this, id, totalCents, items, buyerId);
    this.orders.push(o);
    const created = this.record({
      kind: 'create-order',
      orderId: id,
      actor: o.buyer,
      outcome: 'ok',
      status: 201,
      version: 1,
      body: { items: items.map((i) => ({ productId: i.product.id, quantity: i.quantity })) },
    });
    o.createdAt = created.sentWall + 1;
    created.response = { id, createdAt: new Date(o.createdAt).toISOString() };
    return o;
  }

  /** A refused `POST /v1/orders` for `quantity` units of `product`, with its problem body. */
  refusedOrder(
    product: ProductRow,
    code: string,
    extra: { buyerId?: string; quantity?: number; response?: Record<string, unknown> } = {},
  ): RequestRecord {
    const r = this.record({
      kind: 'create-order',
      actor: { role: 'buyer', id: extra.buyerId ?? 'b1' },
      outcome: 'rejected',
      status: 409,
      code,
      body: { items: [{ productId: product.id, quantity: extra.quantity ?? 1 }] },
    });
    r.response = { code, productId: product.id, ...extra.response };
    return r;
  }

  /** Records a request; `version` fills the body's order and the ETag. */
  record(r: {
    kind: RequestRecord['kind'];
    orderId?: string;
    actor: Principal;
    outcome: RequestRecord['outcome'];
    status?: number;
    code?: string;
    version?: number;
    orderStatus?: string;
    body?: Record<string, unknown>;
    idempotencyKey?: string;
    replayed?: boolean;
    error?: string;
    sentMs?: number;
    recvMs?: number;
  }): RequestRecord {
    const sentMs = r.sentMs ?? this.tick();
    const recvMs =
      r.outcome === 'unknown' && r.status === undefined ? undefined : (r.recvMs ?? this.tick(5));
    const order =
      r.version === undefined
        ? undefined
        : {
            status: r.orderStatus ?? 'pending_payment',
            version: r.version,
            totalCents: 0,
            paidCents: null,
          };
    const record: RequestRecord = {
      id: this.nextId++,
      kind: r.kind,
      orderId: r.orderId,
      actor: r.actor,
      port: 3000,
      body: r.body,
      idempotencyKey: r.idempotencyKey,
      sentMs,
      sentWall: T0 + sentMs,
      recvMs,
      recvWall: recvMs === undefined ? undefined : T0 + recvMs,
      outcome: r.outcome,
      status: r.status,
      code: r.code,
      etagVersion: r.version,
      replayed: r.replayed ?? false,
      order,
      error: r.error,
      bodyHash:
        r.status === undefined ? undefined : hashOf([r.status, r.code, r.version, r.orderStatus]),
    };
    this.requests.push(record);
    return record;
  }

  observation(): Observation {
    const rows = this.orders.map((o) => o.row());
    const events = new Map(this.orders.map((o) => [o.id, o.events]));
    return {
      orders: rows,
      apiEvents: events,
      dbEvents: new Map(events),
      products: this.products,
      holdings: this.holdings ?? this.heldByOrders(rows),
      flash: [],
      probes: this.probes,
      coupons: [],
      claims: [],
      gifts: [],
      at: T0 + this.now,
    };
  }

  /** What `buyer_holdings` holds when it agrees with the orders. */
  private heldByOrders(rows: OrderRow[]): HoldingRow[] {
    const held = new Map<string, HoldingRow>();
    for (const o of rows) {
      for (const item of o.items) {
        const limited = this.products.find((p) => p.id === item.productId)?.perBuyerLimit;
        if (limited === null || limited === undefined) continue;
        const k = `${o.buyerId} ${item.productId}`;
        const row = held.get(k) ?? { buyerId: o.buyerId, productId: item.productId, held: 0 };
        if (o.holdsStock) row.held += item.quantity;
        held.set(k, row);
      }
    }
    return [...held.values()];
  }
}

export class OrderBuilder {
  readonly events: EventRecord[] = [];
  readonly buyer: Principal;
  readonly merchant: Principal = { role: 'merchant', id: 'm1' };
  /** Overrides of the final row, to make it disagree with the events. */
  readonly overrides: Partial<OrderRow> = {};
  paymentDueAt = T0 + 60_000;
  createdAt = T0;

  constructor(
    private readonly h: HistoryBuilder,
    readonly id: string,
    totalCents: number,
    private readonly items: { product: ProductRow; quantity: number }[],
    buyerId = 'b1',
  ) {
    this.buyer = { role: 'buyer', id: buyerId };
    this.event('CREATED', { totalCents }, this.buyer);
  }

  /** Appends an event with the next version; `toStatus` by the contract's table unless given. */
  event(
    type: string,
    data: Record<string, unknown>,
    actor: Principal | { role: 'system'; id: string },
    toStatus?: string,
  ): EventRecord {
    const before = this.events.at(-1)?.toStatus ?? null;
    const n = this.events.length + 1;
    const probe = [
      ...this.events,
      { seq: n, type, fromStatus: before, toStatus: '', version: n, actor, data, at: '' },
    ];
    const replayed = replayByContract(probe).status ?? 'pending_payment';
    const e: EventRecord = {
      seq: n,
      type,
      fromStatus: before,
      toStatus: toStatus ?? replayed,
      version: n,
      actor,
      data,
      at: new Date(T0 + this.h.now).toISOString(),
    };
    this.events.push(e);
    if (
      ['cancelled', 'refunded'].includes(e.toStatus) &&
      !['cancelled', 'refunded'].includes(before ?? '')
    ) {
      for (const { product, quantity } of this.items) product.stock += quantity;
    }
    return e;
  }

  /** A successful transition: its request answered 200 with the new version, and its event. */
  apply(
    action: Action,
    body: Record<string, unknown> = {},
    extra: { idempotencyKey?: string } = {},
  ): RequestRecord {
    const actor = action === 'pay' || action === 'cancel' ? this.buyer : this.merchant;
    const e = this.event(EVENT_OF[action], body, actor);
    return this.h.record({
      kind: action,
      orderId: this.id,
      actor,
      outcome: 'ok',
      status: 200,
      version: e.version,
      orderStatus: e.toStatus,
      body,
      ...extra,
    });
  }

  /** A request only (no event): a rejection, an unknown outcome, a replay, ... */
  request(
    action: Action,
    r: Omit<Parameters<HistoryBuilder['record']>[0], 'kind' | 'orderId' | 'actor'> & {
      actor?: Principal;
    },
  ): RequestRecord {
    const actor = r.actor ?? (action === 'pay' || action === 'cancel' ? this.buyer : this.merchant);
    return this.h.record({ ...r, kind: action, orderId: this.id, actor });
  }

  /** A successful read showing `version`. */
  read(version = this.events.length): RequestRecord {
    return this.h.record({
      kind: 'get-order',
      orderId: this.id,
      actor: this.buyer,
      outcome: 'ok',
      status: 200,
      version,
    });
  }

  row(): OrderRow {
    const r = replayByContract(this.events);
    return {
      id: this.id,
      buyerId: this.buyer.id,
      merchantId: this.merchant.id,
      status: this.events.at(-1)?.toStatus ?? 'pending_payment',
      totalCents: r.totalCents ?? 0,
      paidCents: r.paidCents,
      version: this.events.length,
      holdsStock: !['cancelled', 'refunded'].includes(this.events.at(-1)?.toStatus ?? ''),
      paymentDueAt: this.paymentDueAt,
      createdAt: this.createdAt,
      items: this.items.map(({ product, quantity }) => ({
        productId: product.id,
        quantity,
        unitPriceCents: 100,
      })),
      couponId: null,
      discountCents: 0,
      ...this.overrides,
    };
  }
}

/** A flash sale that sold its 10 units to 10 of 30 orders, 20 told out_of_stock; `over` bends it. */
export function flashRound(over: Partial<FlashObservation> = {}): FlashObservation {
  return {
    round: 1,
    productId: 'p9',
    stocked: 10,
    requests: 30,
    created: 10,
    outOfStock: 20,
    unknown: 0,
    stockAfter: 0,
    ordersAfter: 10,
    quantityAfter: 10,
    quantityReleased: 0,
    released: false,
    perBuyerLimit: null,
    saleStartsAt: null,
    notStarted: 0,
    limitExceeded: 0,
    outOfStockMinQuantity: 1,
    unitsMaybeBack: 0,
    maxHeldByBuyer: 1,
    ...over,
  };
}
