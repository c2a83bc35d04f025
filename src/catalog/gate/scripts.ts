import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RedisClient } from '../../redis';
import type { Result } from 'ioredis';
import type { ClaimRefusal } from '../../db/coupons.repo';
import type { ReservationRefusal } from '../../db/reservations.repo';

/** What `take.lua` returns: a status code, then the product's index (1-based) and details. */
export type TakeReply = number[];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** lua/take.lua: keys order record, state and holdings per product, in-flight set; buyer, TTL, order, product-units pairs. */
    gateTake(...args: (string | number)[]): Result<TakeReply, Context>;
    /** lua/give.lua: keys order record, state and holdings per product, in-flight set; buyer, sold-out product, order, products. */
    gateGive(...args: (string | number)[]): Result<number, Context>;
    /** lua/fill.lua: keys state, holders; mode, n, n field-value pairs, holder pairs. */
    gateFill(...args: (string | number)[]): Result<0 | 1, Context>;
    /** lua/add.lua: key state; units. */
    gateAdd(state: string, units: number): Result<number, Context>;
    /** lua/claim.lua: keys coupon state, claimants; the buyer. */
    gateClaim(state: string, claimants: string, buyerId: string): Result<number[], Context>;
    /** lua/unclaim.lua: keys coupon state, claimants; the buyer. */
    gateUnclaim(state: string, claimants: string, buyerId: string): Result<0 | 1, Context>;
  }
}

/** claim.lua's status codes. */
export enum ClaimStatus {
  Claimed = 0,
  Miss = 1,
  AlreadyClaimed = 2,
  NotValid = 3,
  SoldOut = 4,
}

/** take.lua's status codes. */
export enum TakeStatus {
  Taken = 0,
  Miss = 1,
  OutOfStock = 2,
  SaleNotStarted = 3,
  LimitExceeded = 4,
}

/** take.lua's reply as a result: taken, missing products, or the reservation's refusal. */
export type TakeOutcome =
  | { kind: 'taken' }
  | { kind: 'miss'; productIds: string[] }
  | { kind: 'refused'; refusal: ReservationRefusal };

/**
 * Turns take.lua's reply into a typed outcome; `productIds` are the products in the
 * order the script got them (its indexes are 1-based).
 * @throws Error on a reply the script never gives (a wrong script or key type).
 */
export function takeOutcome(reply: TakeReply, productIds: readonly string[]): TakeOutcome {
  const [status, index = 0, a = 0, b = 0] = reply;
  const productId = productIds[index - 1] ?? '';
  switch (status) {
    case TakeStatus.Taken:
      return { kind: 'taken' };
    case TakeStatus.Miss:
      return { kind: 'miss', productIds: reply.slice(1).map((i) => productIds[i - 1] ?? '') };
    case TakeStatus.OutOfStock:
      return { kind: 'refused', refusal: { reason: 'out_of_stock', productId } };
    case TakeStatus.SaleNotStarted:
      return {
        kind: 'refused',
        refusal: { reason: 'sale_not_started', productId, saleStartsAt: new Date(a) },
      };
    case TakeStatus.LimitExceeded:
      return {
        kind: 'refused',
        refusal: { reason: 'purchase_limit_exceeded', productId, limit: a, held: b },
      };
    default:
      throw new Error(`stock gate: unexpected reply ${JSON.stringify(reply)}`);
  }
}

/** claim.lua's reply as a result: claimed, a MISS, or the claim's refusal. */
export type ClaimOutcome =
  { kind: 'taken' } | { kind: 'miss' } | { kind: 'refused'; refusal: ClaimRefusal };

/**
 * Turns claim.lua's reply into a typed outcome.
 * @throws Error on a reply the script never gives (a wrong script or key type).
 */
export function claimOutcome(reply: number[]): ClaimOutcome {
  const [status, from = 0, until = 0] = reply;
  switch (status) {
    case ClaimStatus.Claimed:
      return { kind: 'taken' };
    case ClaimStatus.Miss:
      return { kind: 'miss' };
    case ClaimStatus.AlreadyClaimed:
      return { kind: 'refused', refusal: { reason: 'coupon_already_claimed' } };
    case ClaimStatus.NotValid:
      return {
        kind: 'refused',
        refusal: {
          reason: 'coupon_not_valid',
          validFrom: from > 0 ? new Date(from) : null,
          validUntil: until > 0 ? new Date(until) : null,
        },
      };
    case ClaimStatus.SoldOut:
      return { kind: 'refused', refusal: { reason: 'coupon_sold_out' } };
    default:
      throw new Error(`coupon gate: unexpected reply ${JSON.stringify(reply)}`);
  }
}

const SCRIPTS = [
  { command: 'gateTake', file: 'take.lua' },
  { command: 'gateGive', file: 'give.lua' },
  { command: 'gateFill', file: 'fill.lua', numberOfKeys: 2 },
  { command: 'gateAdd', file: 'add.lua', numberOfKeys: 1 },
  { command: 'gateClaim', file: 'claim.lua', numberOfKeys: 2 },
  { command: 'gateUnclaim', file: 'unclaim.lua', numberOfKeys: 2 },
] as const;

let sources: Map<string, string> | undefined;
const registered = new WeakSet<RedisClient>();

/**
 * Registers the gates' scripts on `redis` once per connection object. The .lua files sit
 * next to this module (src/ from the sources, dist/ after `npm run build`, which copies
 * them). take and give have a variable number of keys: their callers pass the count
 * first, as EVALSHA wants it. ioredis falls back to EVAL on NOSCRIPT by itself.
 * @throws Error when a script file is missing.
 */
export function defineGateScripts(redis: RedisClient): void {
  if (registered.has(redis)) return;
  sources ??= new Map(
    SCRIPTS.map((s) => [s.file, readFileSync(path.join(__dirname, 'lua', s.file), 'utf8')]),
  );
  for (const script of SCRIPTS) {
    redis.defineCommand(script.command, {
      lua: sources.get(script.file) ?? '',
      ...('numberOfKeys' in script ? { numberOfKeys: script.numberOfKeys } : {}),
    });
  }
  registered.add(redis);
}
