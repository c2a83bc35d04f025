import type { RedisClient } from '../redis';
import type { Registry } from 'prom-client';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { RateLimiter } from './limiter';
import { createRateLimitMetrics } from './metrics';

export { RateLimiter, type RateLimiterOptions } from './limiter';
export {
  formatPolicy,
  formatRateLimit,
  retryAfterSeconds,
  policyWindowSeconds,
  POLICY_NAME,
  type RateDecision,
  type RatePolicy,
} from './headers';
export { createRateLimitMetrics, type RateLimitMetrics, type RateOutcome } from './metrics';

/**
 * The limiter of RATE_LIMIT_PER_SECOND / RATE_LIMIT_BURST on `redis`, with its counter on
 * `registry` when one is given.
 * @throws Error from prom-client when the counter is already registered on `registry`.
 */
export function createRateLimiter(
  redis: RedisClient,
  config: Pick<Config, 'RATE_LIMIT_PER_SECOND' | 'RATE_LIMIT_BURST'>,
  extras: { logger?: Logger; registry?: Registry } = {},
): RateLimiter {
  return new RateLimiter(redis, {
    perSecond: config.RATE_LIMIT_PER_SECOND,
    burst: config.RATE_LIMIT_BURST,
    ...(extras.logger ? { logger: extras.logger } : {}),
    ...(extras.registry ? { metrics: createRateLimitMetrics(extras.registry) } : {}),
  });
}
