import type Redis from 'ioredis';
import type { Db } from '../../db/knex';
import type { ReservationRefusal } from '../../db/reservations.repo';
import { withDeadline } from '../../lock';
import type { Logger } from '../../logger';
import { fillGate } from './fill';
import { orderKey, productKeys } from './keys';
import { noGateMetrics, type GateMetrics } from './metrics';
import { ProductCache } from './product-cache';
import { defineGateScripts, takeOutcome, type TakeOutcome } from './scripts';
import { readGateSources } from './source';

/** One order as the gate sees it. */
export interface GateOrder {
  orderId: string;
  merchantId: string;
  buyerId: string;
  /** Units wanted per product. */
  wanted: ReadonlyMap<string, number>;
}

/** The gate's answer: took the units, refused the order, or had no answer (fail open). */
export type GateDecision =
  { kind: 'taken' } | { kind: 'refused'; refusal: ReservationRefusal } | { kind: 'skipped' };

export interface StockGateOptions {
  /** Deadline of one Redis call in ms (REDIS_COMMAND_TIMEOUT_MS). */
  timeoutMs: number;
  /** How long an order's record of what it took is kept for its give-back; default 24 h. */
  orderTtlMs?: number;
  logger?: Logger;
  metrics?: GateMetrics;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * The Redis stock gate in front of PostgreSQL's reservation: answers sold-out,
 * over-limit and not-started orders without a database transaction. It only filters:
 * PostgreSQL still decides, so a gate that lost its state, drifted or cannot be reached
 * costs speed, never correctness (a missing state is rebuilt from the database; an
 * unreachable Redis lets every order through to PostgreSQL).
 */
export class StockGate {
  private readonly orderTtlMs: number;
  private readonly metrics: GateMetrics;
  private lastWarnAt = -Infinity;
  /** Rebuilds under way in this process, by their products' ids. */
  private readonly rebuilding = new Map<string, Promise<void>>();
  /** Products' merchants and prices, so that a refusal needs no query at all. */
  readonly products: ProductCache;

  constructor(
    readonly redis: Redis,
    readonly db: Db,
    readonly options: StockGateOptions,
  ) {
    this.orderTtlMs = options.orderTtlMs ?? DAY_MS;
    this.metrics = options.metrics ?? noGateMetrics;
    this.products = new ProductCache(db);
    defineGateScripts(redis);
  }

  /**
   * Takes the order's units from the gate, all or none. A product without state is
   * rebuilt from PostgreSQL and the take retried once. Never throws and waits at most
   * a few Redis deadlines.
   * @returns taken (give them back if the order is not placed), refused with the
   *   reservation's reason, or skipped (Redis failed: let PostgreSQL decide).
   */
  async take(order: GateOrder): Promise<GateDecision> {
    if (this.redis.status !== 'ready') return this.skipped(undefined);
    try {
      let outcome = await this.takeOnce(order);
      if (outcome.kind === 'miss') {
        await this.rebuild(outcome.productIds);
        outcome = await this.takeOnce(order);
      }
      if (outcome.kind === 'miss') return this.skipped(new Error('gate state still missing'));
      this.metrics.decided(outcome.kind);
      return outcome;
    } catch (error) {
      // A take that timed out (here or in ioredis) may still run later and take: undo it.
      // give.lua runs after it on the same connection and gives back only what the
      // order's record holds, so it is harmless when nothing was taken.
      void this.give({ ...order, productIds: order.wanted.keys() });
      return this.skipped(error);
    }
  }

  /**
   * Gives back what the order took, once per order (a second call gives nothing). Best
   * effort: a failure is logged and the reconciler repairs the drift. Never throws.
   */
  async give(order: Omit<GateOrder, 'wanted'> & { productIds: Iterable<string> }): Promise<void> {
    const ids = [...new Set(order.productIds)].sort();
    try {
      const keys = [orderKey(order.merchantId, order.orderId)];
      for (const id of ids) {
        const k = productKeys(order.merchantId, id);
        keys.push(k.state, k.holdings);
      }
      const call = this.redis.gateGive(keys.length, ...keys, order.buyerId, ...ids);
      await withDeadline(call, this.options.timeoutMs, 'the stock gate give-back');
    } catch (error) {
      this.warn(error, { orderId: order.orderId }, 'stock gate give-back failed');
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
    const args: (string | number)[] = [order.buyerId, this.orderTtlMs];
    for (const id of ids) {
      const k = productKeys(order.merchantId, id);
      keys.push(k.state, k.holdings);
      args.push(id, order.wanted.get(id) ?? 0);
    }
    const call = this.redis.gateTake(keys.length, ...keys, ...args);
    return takeOutcome(await withDeadline(call, this.options.timeoutMs, 'the stock gate'), ids);
  }

  /**
   * Writes the state of products that have none, as PostgreSQL has it now. Orders that
   * miss the same product at once (the first seconds of a sale, a flushed Redis) share
   * one rebuild per process instead of one read each.
   */
  private async rebuild(productIds: string[]): Promise<void> {
    const key = [...productIds].sort().join(',');
    let pending = this.rebuilding.get(key);
    if (!pending) {
      pending = this.fill(productIds).finally(() => this.rebuilding.delete(key));
      this.rebuilding.set(key, pending);
    }
    await pending;
  }

  private async fill(productIds: string[]): Promise<void> {
    const sources = await readGateSources(this.db, productIds);
    for (const source of sources)
      await fillGate(this.redis, source, 'missing', this.options.timeoutMs);
  }

  private skipped(error: unknown): GateDecision {
    this.metrics.decided('skipped');
    this.warn(error, {}, 'stock gate unavailable: PostgreSQL decides alone');
    return { kind: 'skipped' };
  }

  /** Warns at most once per 5 s: a Redis outage must not flood the log. */
  private warn(error: unknown, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < 5000) return;
    this.lastWarnAt = now;
    const err = error instanceof Error ? error.message : error;
    this.options.logger?.warn({ ...fields, err, redis: this.redis.status }, message);
  }
}
