import type { RedisClient } from '../../redis';
import type { Db } from '../../db/knex';
import { withDeadline } from '@order-coordinator/lock';
import type { GateStateKeys } from './keys';

/** One gated thing's state as PostgreSQL has it, ready for fill.lua. */
export interface GateFill {
  keys: GateStateKeys;
  /** The state hash's fields (all numbers). */
  fields: [string, number][];
  /** The holders hash: buyerId -> units held (products), or 1 (a coupon's claimants). */
  holders: [string, number][];
  /** The registry set the reconciler visits, and this thing's member in it. */
  registry: { set: string; member: string };
}

/**
 * One kind of gated thing (products, coupons): where the reconciler finds them, and
 * how their state is read from PostgreSQL (one statement: one snapshot).
 */
export interface GateKind {
  /** The gate's name in logs: `stock gate`, `coupon gate`. */
  name: string;
  /** The registry set of things with gate state (members `<merchantId>/<id>`). */
  registry: string;
  read: (db: Db, ids: readonly string[]) => Promise<GateFill[]>;
  /**
   * Counts what the gate took for requests not yet committed into states just read
   * (the stock gate's orders in flight), so that a reset does not hand it out again.
   */
  countInFlight?: (redis: RedisClient, fills: GateFill[], timeoutMs: number) => Promise<void>;
}

/** Reads things' states from PostgreSQL, with what is in flight counted in. */
export async function readFills(
  kind: GateKind,
  redis: RedisClient,
  db: Db,
  ids: readonly string[],
  timeoutMs: number,
): Promise<GateFill[]> {
  const fills = await kind.read(db, ids);
  await kind.countInFlight?.(redis, fills, timeoutMs);
  return fills;
}

/**
 * Writes one thing's gate state from PostgreSQL's (fill.lua): `missing` only where it
 * has none (a rebuild after a MISS), `reset` only where it has one (the reconciler). A
 * rebuilt thing joins the set the reconciler visits.
 * @returns whether the state was written.
 * @throws RedisDeadlineError past `timeoutMs`, or the Redis error.
 */
export async function fillGate(
  redis: RedisClient,
  fill: GateFill,
  mode: 'missing' | 'reset',
  timeoutMs: number,
): Promise<boolean> {
  const args: (string | number)[] = [fill.keys.state, fill.keys.holders, mode, fill.fields.length];
  for (const [field, value] of fill.fields) args.push(field, value);
  for (const [buyerId, value] of fill.holders) args.push(buyerId, value);
  const written = await withDeadline(redis.gateFill(...args), timeoutMs, 'the gate fill');
  if (written === 1 && mode === 'missing') {
    const { set, member } = fill.registry;
    await withDeadline(redis.sadd(set, member), timeoutMs, 'the gated things');
  }
  return written === 1;
}
