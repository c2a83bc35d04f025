import type { ApiClient } from '../http/client';
import type { Identity } from '../http/tokens';
import type { ApiInstance } from '../procs/instances';
import { FINAL_STATUSES, type RequestRecord } from '../types';
import type { Rng } from './rng';
import type { Product } from './product';
import { SaleBoard } from './sales';

export type { Product } from './product';

/** What the workload last saw of an order (the checker never trusts it). */
export interface KnownOrder {
  id: string;
  buyer: Identity;
  merchant: Identity;
  status: string;
  version: number;
  totalCents: number;
  /** A fault episode owns it: the random workload leaves it alone. */
  reserved: boolean;
  /** Its buyer will never pay it: left for the payment-expiry sweeper. */
  abandoned: boolean;
}

/** A coupon a buyer claimed (a 201): it may use it in orders of the coupon's merchant. */
export interface KnownClaim {
  couponId: string;
  buyer: Identity;
  merchant: Identity;
  minOrderCents: number;
}

/** The shared state of the virtual buyers and merchants of one run. */
export class World {
  readonly orders = new Map<string, KnownOrder>();
  private readonly active = new Set<string>();
  products: Product[] = [];
  buyers: Identity[] = [];
  merchants: Identity[] = [];
  /** Buyers of the coupon storms (many, so that a small coupon runs out). */
  claimers: Identity[] = [];
  /** Every claim that got a 201, in order. */
  readonly claims: KnownClaim[] = [];
  /** How many open orders the workload keeps: few, so that actors collide on them. */
  targetActive = 16;
  /** Flash sales as they open. */
  readonly sales = new SaleBoard();
  /**
   * How long the API keeps a request's `Idempotency-Key` in flight before a retry may
   * take it over (its lease): a create whose instance was killed or paused mid-request
   * is answered `idempotency_key_in_flight` that long.
   */
  keyLeaseMs = 0;

  constructor(
    readonly rng: Rng,
    readonly client: ApiClient,
    readonly instances: readonly ApiInstance[],
    readonly admin: Identity,
  ) {}

  /** A random instance that is running (any instance when none is). */
  port(): number {
    const up = this.instances.filter((i) => i.running);
    return this.rng.pick(up.length > 0 ? up : this.instances).port;
  }

  /** A running instance other than `port` when there is one. */
  otherPort(port: number): number {
    const others = this.instances.filter((i) => i.running && i.port !== port);
    return others.length > 0 ? this.rng.pick(others).port : port;
  }

  /** Adds an order the API created (201). */
  add(order: Omit<KnownOrder, 'reserved'>, reserved = false): KnownOrder {
    const known = { ...order, reserved };
    this.orders.set(order.id, known);
    if (!FINAL_STATUSES.has(order.status)) this.active.add(order.id);
    return known;
  }

  /** Updates what is known from a response that showed the order (if it is newer). */
  learn(record: RequestRecord): void {
    const known = record.orderId === undefined ? undefined : this.orders.get(record.orderId);
    const view = record.order;
    if (!known || !view || view.version < known.version) return;
    known.status = view.status;
    known.version = view.version;
    known.totalCents = view.totalCents;
    if (FINAL_STATUSES.has(view.status)) this.active.delete(known.id);
  }

  /** Learns an order's status from an error that names it (`invalid_transition`). */
  learnStatus(orderId: string, status: unknown): void {
    const known = this.orders.get(orderId);
    if (!known || typeof status !== 'string') return;
    known.status = status;
    if (FINAL_STATUSES.has(status)) this.active.delete(orderId);
  }

  /** Orders the random workload may act on. */
  activeOrders(): KnownOrder[] {
    const out: KnownOrder[] = [];
    for (const id of this.active) {
      const o = this.orders.get(id);
      if (o && !o.reserved) out.push(o);
    }
    return out;
  }

  activeCount(): number {
    return this.active.size;
  }

  /** Any order, final ones included (for reads and doomed transitions). */
  anyOrder(): KnownOrder | undefined {
    if (this.orders.size === 0) return undefined;
    const index = this.rng.int(0, this.orders.size - 1);
    let i = 0;
    for (const o of this.orders.values()) if (i++ === index) return o;
    return undefined;
  }
}
