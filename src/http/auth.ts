import type { NextFunction, Request, Response } from 'express';
import { SignJWT, jwtVerify } from 'jose';
import { z } from 'zod';
import { AppError } from '../errors';
import type { Actor, Role } from '../orders/policy';

const claims = z.object({
  sub: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  role: z.enum(['buyer', 'merchant', 'admin']),
});

export interface AuthedRequest extends Request {
  actor?: { role: Role; id: string };
  /** Why the request has no actor (no token, or a bad one); set with `actor` by `identify`. */
  authError?: AppError;
}

/** The authenticated caller of a request that went through `authenticate`. */
export function actorOf(req: Request): Actor {
  const actor = (req as AuthedRequest).actor;
  if (!actor) throw new AppError('unauthenticated', 'A bearer token is required.');
  return actor;
}

/** The one route whose token may come as `?access_token=` (browsers' EventSource sends no headers). */
export const QUERY_TOKEN_PATH = '/v1/events/stream';

function queryToken(req: Request): string | undefined {
  const token = req.query.access_token;
  return req.path === QUERY_TOKEN_PATH && typeof token === 'string' ? `Bearer ${token}` : undefined;
}

/** `url` without the value of `access_token`, for logs. */
export function redactToken(url: string): string {
  return url.replace(/([?&]access_token=)[^&]*/g, '$1[redacted]');
}

/** Verifies the bearer token once and records the actor or the refusal on the request. */
async function verify(req: AuthedRequest, key: Uint8Array): Promise<void> {
  if (req.actor !== undefined || req.authError !== undefined) return;
  const header = req.headers.authorization ?? queryToken(req);
  const match = header === undefined ? null : /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
  if (!match?.[1]) {
    req.authError = new AppError('unauthenticated', 'Send Authorization: Bearer <token>.');
    return;
  }
  try {
    const { payload } = await jwtVerify(match[1], key, { algorithms: ['HS256'] });
    const parsed = claims.safeParse(payload);
    if (!parsed.success) throw new Error('claims');
    req.actor = { role: parsed.data.role, id: parsed.data.sub };
  } catch {
    req.authError = new AppError(
      'unauthenticated',
      'The token is invalid, expired or not signed with HS256.',
    );
  }
}

/**
 * Verifies the bearer token (if any) and records the actor, or why there is none, on the
 * request without refusing it: the rate limiter needs the principal before the 401.
 * `authenticate` later reuses the result, so a token is verified once per request.
 */
export function identify(secret: string) {
  const key = new TextEncoder().encode(secret);
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    await verify(req as AuthedRequest, key);
    next();
  };
}

/**
 * Requires `Authorization: Bearer <JWT>`, HS256 only, signed with the configured secret;
 * `exp` is honoured. Anything else is 401 `unauthenticated`.
 */
export function authenticate(secret: string) {
  const key = new TextEncoder().encode(secret);
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const authed = req as AuthedRequest;
    await verify(authed, key);
    if (authed.actor) next();
    else next(authed.authError ?? new AppError('unauthenticated', 'A bearer token is required.'));
  };
}

/**
 * Signs a bearer token (HS256) for `role` and `sub`; `ttlSeconds` sets `exp`
 * (none when omitted). For the dev token command and tests.
 */
export async function signToken(
  secret: string,
  claims: { role: Role; sub: string },
  ttlSeconds?: number,
): Promise<string> {
  let jwt = new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuedAt();
  if (ttlSeconds !== undefined)
    jwt = jwt.setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds);
  return jwt.sign(new TextEncoder().encode(secret));
}
