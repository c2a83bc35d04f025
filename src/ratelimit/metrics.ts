import { Counter, type Registry } from 'prom-client';

/** How the limiter answered: counted and admitted, refused, or Redis failed and it let it by. */
export type RateOutcome = 'allowed' | 'limited' | 'failed_open';

/** Hook the limiter calls once per checked request. */
export interface RateLimitMetrics {
  decided(outcome: RateOutcome): void;
}

/** Metrics that record nothing: the default. */
export const noRateLimitMetrics: RateLimitMetrics = { decided: () => undefined };

/**
 * The counter `rate_limit_decisions_total{outcome}` on `registry`.
 * @throws Error from prom-client when a metric of that name is already registered.
 */
export function createRateLimitMetrics(registry: Registry): RateLimitMetrics {
  const decisions = new Counter({
    name: 'rate_limit_decisions_total',
    help: 'Rate-limit checks by outcome (failed_open: Redis did not answer in time)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return { decided: (outcome) => decisions.inc({ outcome }) };
}
