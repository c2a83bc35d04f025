/**
 * The RateLimit header fields of draft-ietf-httpapi-ratelimit-headers-11 (May 2026, the
 * current draft): both are Structured Field Lists of one Item, a String naming the policy
 * with Integer parameters.
 *   RateLimit-Policy: "default";q=<burst>;w=<seconds to refill the whole burst>
 *   RateLimit: "default";r=<requests admitted right now>;t=<seconds>
 */

/** The limit of one principal: `perSecond` sustained, up to `burst` at once. */
export interface RatePolicy {
  perSecond: number;
  burst: number;
}

/** The limiter's verdict on one request; durations in milliseconds (may be fractional). */
export interface RateDecision {
  allowed: boolean;
  /** Requests that would still be admitted right now, after this one. */
  remaining: number;
  /** Until the next request would be admitted; 0 while `remaining` > 0. */
  retryMs: number;
  /** Until the whole burst is available again. */
  fullMs: number;
}

/** The one policy's name in both fields. */
export const POLICY_NAME = 'default';

/**
 * The policy's window in whole seconds (>= 1): the time an empty bucket takes to refill.
 * Rounded up, so `q` requests spread evenly over `w` seconds are never refused.
 */
export function policyWindowSeconds(policy: RatePolicy): number {
  return Math.max(1, Math.ceil(policy.burst / policy.perSecond));
}

/** The `RateLimit-Policy` value, e.g. `"default";q=400;w=2` for 200/s with a burst of 400. */
export function formatPolicy(policy: RatePolicy): string {
  return `"${POLICY_NAME}";q=${policy.burst};w=${policyWindowSeconds(policy)}`;
}

/** `Retry-After` in whole seconds (>= 1, rounded up) for a refused request. */
export function retryAfterSeconds(decision: Pick<RateDecision, 'retryMs'>): number {
  return Math.max(1, Math.ceil(decision.retryMs / 1000));
}

/**
 * The `RateLimit` value. `t` is the draft's effective window: while requests remain, the
 * seconds until the whole burst is back; at `r=0`, the seconds until the next request is
 * admitted, which is also the 429's `Retry-After` (the draft, section 6: Retry-After
 * SHOULD NOT point before the end of the effective window).
 */
export function formatRateLimit(decision: RateDecision): string {
  const remaining = Math.max(0, Math.floor(decision.remaining));
  const t =
    remaining === 0 ? retryAfterSeconds(decision) : Math.max(1, Math.ceil(decision.fullMs / 1000));
  return `"${POLICY_NAME}";r=${remaining};t=${t}`;
}
