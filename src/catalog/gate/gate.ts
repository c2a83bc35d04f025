import type { RedisClient } from '../../redis';
import type { Db } from '../../db/knex';
import type { ReservationRefusal } from '../../db/reservations.repo';
import { withDeadline } from '@order-coordinator/lock';
import { GateBase, type GateAnswer, type GateOptions } from './base';
import { inFlightKey, inFlightMember, orderKey, productKeys } from './keys';
import { ProductCache } from './product-cache';
import { takeOutcome, type TakeOutcome } from './scripts';
import { PRODUCT_GATE } from './source';

/** One order as the gate sees it. */
export interface GateOrder {
  orderId: string;
  merchantId: string;
  buyerId: string;
  /** Units wanted per product. */
  wanted: ReadonlyMap<string, number>;
}

/** The gate's answer: took the units, refused the order, or had no answer (fail open). */
export type GateDecision = GateAnswer<ReservationRefusal>;

export interface StockGateOptions extends GateOptions {
  /** How long an order's record of what it took is kept for its give-back; default 24 h. */
  orderTtlMs?: number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * The Redis stock gate in front of PostgreSQL's reservation: answers sold-out,
 * over-limit and not-started orders without a database transaction. It only filters:
 * PostgreSQL still decides, so a gate that lost its state, drifted or cannot be reached
 * costs speed, never correctness (a missing state is rebuilt from the database; an
 * unreachable Redis lets every order through to PostgreSQL).
 */
export class StockGate extends GateBase {
  private readonly orderTtlMs: number;
  /** Products' merchants and prices, so that a refusal needs no query at all. */
  readonly products: ProductCache;

  constructor(redis: RedisClient, db: Db, options: StockGateOptions) {
    super(redis, db, options, PRODUCT_GATE);
    this.orderTtlMs = options.orderTtlMs ?? DAY_MS;
    this.products = new ProductCache(db);
  }

  /**
   * Takes the order's units from the gate, all or none. A product without state is
   * rebuilt from PostgreSQL and the take retried once. Never throws and waits at most
   * a few Redis deadlines.
   * @returns taken (give them back if the order is not placed), refused with the
   *   reservation's reason, or skipped (Redis failed: let PostgreSQL decide).
   */
  async take(order: GateOrder): Promise<GateDecision> {
    return this.decide(
      async () => {
        const outcome = await this.takeOnce(order);
        return outcome.kind === 'miss' ? { kind: 'miss', ids: outcome.productIds } : outcome;
      },
      // give.lua gives back only what the order's record holds: harmless if nothing was taken.
      () => this.give({ ...order, productIds: order.wanted.keys() }),
    );
  }

  /**
   * Gives back what the order took, once per order (a second call gives nothing). Best
   * effort: a failure is logged and the reconciler repairs the drift. Never throws.
   * `soldOut`, the product PostgreSQL refused as out of stock, gets the buyer's holding
   * back but not its units: the gate had counted units that PostgreSQL does not have, so
   * the refusal removes them (with 1 unit per order, exactly those; with more, the gate
   * may count up to that many fewer than PostgreSQL until the next reconcile pass).
   */
  async give(
    order: Omit<GateOrder, 'wanted'> & { productIds: Iterable<string>; soldOut?: string },
  ): Promise<void> {
    const ids = [...new Set(order.productIds)].sort();
    try {
      const keys = [orderKey(order.merchantId, order.orderId)];
      for (const id of ids) {
        const k = productKeys(order.merchantId, id);
        keys.push(k.state, k.holdings);
      }
      keys.push(inFlightKey(order.merchantId));
      const call = this.redis.gateGive(
        keys.length,
        ...keys,
        order.buyerId,
        order.soldOut ?? '',
        order.orderId,
        ...ids,
      );
      await withDeadline(call, this.options.timeoutMs, 'the stock gate give-back');
    } catch (error) {
      this.warn(error, { orderId: order.orderId }, 'stock gate give-back failed');
    }
  }

  /**
   * The order is placed: PostgreSQL counts its units now, so it leaves the merchant's
   * orders in flight. Best effort and not awaited by the caller: an entry left behind
   * goes stale within IN_FLIGHT_STALE_MS. Never throws.
   */
  async settle(order: GateOrder): Promise<void> {
    const members = [...order.wanted].map(([id, units]) =>
      inFlightMember(order.orderId, id, units, order.buyerId),
    );
    try {
      const call = this.redis.zrem(inFlightKey(order.merchantId), ...members);
      await withDeadline(call, this.options.timeoutMs, 'the stock gate settle');
    } catch (error) {
      this.warn(error, { orderId: order.orderId }, 'stock gate settle failed');
    }
  }

  /** Adds restocked units to the product's gate state, if it has one. Never throws. */
  async restocked(merchantId: string, productId: string, units: number): Promise<void> {
    try {
      const call = this.redis.gateAdd(productKeys(merchantId, productId).state, units);
      await withDeadline(call, this.options.timeoutMs, 'the stock gate restock');
    } catch (error) {
      this.warn(error, { productId }, 'stock gate restock failed');
    }
  }

  private async takeOnce(order: GateOrder): Promise<TakeOutcome> {
    // Product-id order: the order PostgreSQL checks them in, so both name one product.
    const ids = [...order.wanted.keys()].sort();
    const keys = [orderKey(order.merchantId, order.orderId)];
    const args: (string | number)[] = [order.buyerId, this.orderTtlMs, order.orderId];
    for (const id of ids) {
      const k = productKeys(order.merchantId, id);
      keys.push(k.state, k.holdings);
      args.push(id, order.wanted.get(id) ?? 0);
    }
    keys.push(inFlightKey(order.merchantId));
    const call = this.redis.gateTake(keys.length, ...keys, ...args);
    return takeOutcome(await withDeadline(call, this.options.timeoutMs, 'the stock gate'), ids);
  }
}
