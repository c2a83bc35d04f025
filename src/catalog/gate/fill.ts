import type Redis from 'ioredis';
import { withDeadline } from '../../lock';
import { GATED_PRODUCTS, productKeys } from './keys';
import type { GateSource } from './source';

/**
 * Writes one product's gate state from PostgreSQL's (fill.lua): `missing` only where it
 * has none (a rebuild after a MISS), `reset` only where it has one (the reconciler). A
 * rebuilt product joins the set the reconciler visits.
 * @returns whether the state was written.
 * @throws RedisDeadlineError past `timeoutMs`, or the Redis error.
 */
export async function fillGate(
  redis: Redis,
  source: GateSource,
  mode: 'missing' | 'reset',
  timeoutMs: number,
): Promise<boolean> {
  const keys = productKeys(source.merchantId, source.productId);
  const args = [keys.state, keys.holdings, mode, source.left, source.limit, source.startsAtMs];
  for (const [buyerId, held] of source.holdings) args.push(buyerId, held);
  const written = await withDeadline(redis.gateFill(...args), timeoutMs, 'the stock gate fill');
  if (written === 1 && mode === 'missing') {
    const member = `${source.merchantId}/${source.productId}`;
    await withDeadline(redis.sadd(GATED_PRODUCTS, member), timeoutMs, 'the gated products');
  }
  return written === 1;
}
