import { SignJWT } from 'jose';
import type { Principal } from '../types';

/** A principal with its bearer token. */
export interface Identity extends Principal {
  token: string;
}

/** Signs an HS256 token `{ sub, role }` valid for `hours` with the instances' secret. */
export async function identity(secret: string, principal: Principal, hours = 6): Promise<Identity> {
  const token = await new SignJWT({ role: principal.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(principal.id)
    .setIssuedAt()
    .setExpirationTime(`${hours}h`)
    .sign(new TextEncoder().encode(secret));
  return { ...principal, token };
}
