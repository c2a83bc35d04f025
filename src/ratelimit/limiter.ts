import type { RedisClient } from '../redis';
import { withDeadline } from '@order-coordinator/lock';
import type { Logger } from '../logger';
import type { RateDecision, RatePolicy } from './headers';
import { noRateLimitMetrics, type RateLimitMetrics } from './metrics';
import { defineRateLimitScripts, type GcraReply } from './scripts';

export interface RateLimiterOptions extends RatePolicy {
  /** Prepended to every key (tests give each file its own); default `rl:`. */
  keyPrefix?: string;
  /** Deadline of one Redis call in ms; past it the request is let through. Default 150. */
  timeoutMs?: number;
  /** After a failed call, ms during which Redis is not asked at all. Default 1000. */
  cooldownMs?: number;
  /** Least ms between two "failing open" warnings. Default 5000. */
  warnEveryMs?: number;
  logger?: Logger;
  metrics?: RateLimitMetrics;
}

/**
 * Per-principal GCRA rate limit shared by every instance through one Redis key per
 * principal (`rl:{<principal>}`: the hash tag keeps it cluster-safe). Redis's clock
 * decides, so instances with skewed clocks agree. When Redis is down or stalled the
 * limiter fails open: the API must not go down with its rate limiter.
 */
export class RateLimiter {
  readonly policy: RatePolicy;
  private readonly intervalUs: number;
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly cooldownMs: number;
  private readonly warnEveryMs: number;
  private readonly metrics: RateLimitMetrics;
  /** Until this Date.now() the limiter admits without asking Redis (after a failure). */
  private skipUntil = 0;
  private lastWarnAt = -Infinity;
  private failedSinceWarn = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: RateLimiterOptions,
  ) {
    const { perSecond, burst } = options;
    if (!Number.isInteger(perSecond) || perSecond < 0 || !Number.isInteger(burst) || burst < 0)
      throw new RangeError('perSecond and burst must be integers >= 0');
    if (perSecond > 0 && burst < 1) throw new RangeError('burst must be >= 1 when limiting');
    this.policy = { perSecond, burst };
    // Whole microseconds: exact for every rate dividing 10^6, within 0.5 µs otherwise.
    this.intervalUs = perSecond > 0 ? Math.max(1, Math.round(1_000_000 / perSecond)) : 0;
    this.prefix = options.keyPrefix ?? 'rl:';
    this.timeoutMs = options.timeoutMs ?? 150;
    this.cooldownMs = options.cooldownMs ?? 1000;
    this.warnEveryMs = options.warnEveryMs ?? 5000;
    this.metrics = options.metrics ?? noRateLimitMetrics;
    if (this.enabled) defineRateLimitScripts(redis);
  }

  /** False when the limit is 0 (turned off). */
  get enabled(): boolean {
    return this.policy.perSecond > 0;
  }

  /** The Redis key of `principal`, e.g. `rl:{buyer:abc}`. */
  keyOf(principal: string): string {
    return `${this.prefix}{${principal}}`;
  }

  /**
   * Counts one request of `principal` (an admitted one uses a unit, a refused one does
   * not). Never throws and waits at most `timeoutMs`.
   * @returns the decision, or undefined when limiting is off or Redis failed (fail open).
   */
  async check(principal: string): Promise<RateDecision | undefined> {
    if (!this.enabled) return undefined;
    if (Date.now() < this.skipUntil || this.redis.status !== 'ready') {
      this.failedOpen(undefined);
      return undefined;
    }
    try {
      const [allowed, remaining, retryUs, fullUs] = await this.call(this.keyOf(principal));
      this.metrics.decided(allowed === 1 ? 'allowed' : 'limited');
      return { allowed: allowed === 1, remaining, retryMs: retryUs / 1000, fullMs: fullUs / 1000 };
    } catch (error) {
      this.skipUntil = Date.now() + this.cooldownMs;
      this.failedOpen(error);
      return undefined;
    }
  }

  private call(key: string): Promise<GcraReply> {
    const reply = this.redis.rateLimitGcra(key, this.intervalUs, this.policy.burst);
    return withDeadline(reply, this.timeoutMs, 'the rate limit');
  }

  /** Counts the let-through request; warns at most once per `warnEveryMs`. */
  private failedOpen(error: unknown): void {
    this.metrics.decided('failed_open');
    this.failedSinceWarn += 1;
    const now = Date.now();
    if (now - this.lastWarnAt < this.warnEveryMs) return;
    this.options.logger?.warn(
      {
        err: error instanceof Error ? error.message : error,
        requests: this.failedSinceWarn,
        redis: this.redis.status,
      },
      'rate limiter cannot reach Redis: letting requests through unlimited',
    );
    this.lastWarnAt = now;
    this.failedSinceWarn = 0;
  }
}
