import type { Request, RequestHandler } from 'express';
import { AppError } from '../errors';
import { formatPolicy, formatRateLimit, retryAfterSeconds, type RateLimiter } from '../ratelimit';
import type { AuthedRequest } from './auth';

/**
 * Whom a request is counted against: `<role>:<sub>` of a verified token, else
 * `ip:<client address>` (no token, or one that failed verification: a token-less flood
 * must cost its sender too). Needs `identify` to have run first.
 */
export function principalOf(req: Request): string {
  const actor = (req as AuthedRequest).actor;
  if (actor) return `${actor.role}:${actor.id}`;
  return `ip:${req.ip ?? req.socket.remoteAddress ?? 'unknown'}`;
}

/**
 * Counts every request that reaches it against its principal and refuses those over the
 * limit with 429 `rate_limited` and `Retry-After`, before the body is read and before any
 * route (so a refused request never claims an Idempotency-Key). Sets `RateLimit-Policy`
 * and `RateLimit` on every counted response; sets neither when limiting is off or Redis
 * did not answer (the limiter then lets the request through).
 */
export function rateLimit(limiter: RateLimiter): RequestHandler {
  const policy = formatPolicy(limiter.policy);
  return async (req, res, next) => {
    if (!limiter.enabled) return next();
    const decision = await limiter.check(principalOf(req));
    if (!decision) return next();
    res.setHeader('RateLimit-Policy', policy);
    res.setHeader('RateLimit', formatRateLimit(decision));
    if (decision.allowed) return next();
    const seconds = retryAfterSeconds(decision);
    next(
      new AppError('rate_limited', `Too many requests; retry in ${seconds} s.`, {
        retryAfterSeconds: seconds,
      }),
    );
  };
}
