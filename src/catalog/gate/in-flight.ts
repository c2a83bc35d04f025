import type { RedisClient } from '../../redis';
import { withDeadline } from '@order-coordinator/lock';
import type { GateFill } from './fill';
import { inFlightKey } from './keys';

/**
 * How long an order may stay between its take and its commit before its entry counts
 * as dead (its process was killed between the gate and the database): a reset after
 * that gives its units back. Longer-lived live orders only cost PostgreSQL a refusal.
 */
export const IN_FLIGHT_STALE_MS = 1500;

/**
 * Counts the merchants' orders in flight into product states just read from PostgreSQL,
 * which does not count them yet: their units leave `left` and join their buyers'
 * holdings (limited products). Without this a reset during a sale would hand out the
 * units of every order in flight a second time, to orders PostgreSQL then refuses.
 * Entries older than IN_FLIGHT_STALE_MS are ignored and dropped. One round trip per
 * merchant, all at once.
 * @throws RedisDeadlineError past `timeoutMs`, or the Redis error.
 */
export async function countInFlight(
  redis: RedisClient,
  fills: GateFill[],
  timeoutMs: number,
): Promise<void> {
  const byMerchant = new Map<string, Map<string, GateFill>>();
  for (const fill of fills) {
    const [merchantId = '', productId = ''] = fill.registry.member.split('/');
    const products = byMerchant.get(merchantId) ?? new Map<string, GateFill>();
    products.set(productId, fill);
    byMerchant.set(merchantId, products);
  }
  await Promise.all(
    [...byMerchant].map(([merchantId, products]) =>
      countMerchant(redis, inFlightKey(merchantId), products, timeoutMs),
    ),
  );
}

/**
 * One merchant's orders in flight, in one round trip to the node that holds its key
 * (a pipeline naming one key only: on a cluster, keys of several merchants live in
 * different slots). The clock is that node's, the one take.lua stamped the entries with.
 */
async function countMerchant(
  redis: RedisClient,
  key: string,
  products: Map<string, GateFill>,
  timeoutMs: number,
): Promise<void> {
  const pipeline = redis.pipeline().time().zrange(key, 0, -1, 'WITHSCORES');
  const replies = (await withDeadline(pipeline.exec(), timeoutMs, 'the orders in flight')) ?? [];
  const [[clockError, clock] = [], [rangeError, range] = []] = replies;
  if (clockError) throw clockError;
  if (rangeError) throw rangeError;
  const [seconds, micros] = clock as [string, string];
  const staleBefore =
    Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - IN_FLIGHT_STALE_MS;
  const flat = range as string[];
  for (let j = 0; j < flat.length; j += 2) {
    if (Number(flat[j + 1]) < staleBefore) continue;
    const [, productId = '', units = '0', ...buyer] = (flat[j] ?? '').split(' ');
    const fill = products.get(productId);
    if (fill) add(fill, buyer.join(' '), Number(units));
  }
  // Dropping the stale entries is housekeeping: not waited for.
  redis.zremrangebyscore(key, '-inf', `(${staleBefore}`).catch(() => undefined);
}

function add(fill: GateFill, buyerId: string, units: number): void {
  const field = (name: string) => fill.fields.find(([f]) => f === name);
  const left = field('left');
  if (left) left[1] -= units;
  if ((field('limit')?.[1] ?? 0) <= 0) return;
  const holder = fill.holders.find(([b]) => b === buyerId);
  if (holder) holder[1] += units;
  else fill.holders.push([buyerId, units]);
}
