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
}

/** The authenticated caller of a request that went through `authenticate`. */
export function actorOf(req: Request): Actor {
  const actor = (req as AuthedRequest).actor;
  if (!actor) throw new AppError('unauthenticated', 'A bearer token is required.');
  return actor;
}

/**
 * Requires `Authorization: Bearer <JWT>`, HS256 only, signed with the configured secret;
 * `exp` is honoured. Anything else is 401 `unauthenticated`.
 */
export function authenticate(secret: string) {
  const key = new TextEncoder().encode(secret);
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(header);
    if (!match?.[1]) {
      next(new AppError('unauthenticated', 'Send Authorization: Bearer <token>.'));
      return;
    }
    try {
      const { payload } = await jwtVerify(match[1], key, { algorithms: ['HS256'] });
      const parsed = claims.safeParse(payload);
      if (!parsed.success) throw new Error('claims');
      (req as AuthedRequest).actor = { role: parsed.data.role, id: parsed.data.sub };
      next();
    } catch {
      next(
        new AppError('unauthenticated', 'The token is invalid, expired or not signed with HS256.'),
      );
    }
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
