import { signToken } from '../../src/http/auth';
import type { Principal } from '../types';

/** A principal with its bearer token. */
export interface Identity extends Principal {
  token: string;
}

/** Signs an HS256 token `{ sub, role }` valid for `hours` with the instances' secret. */
export async function identity(secret: string, principal: Principal, hours = 6): Promise<Identity> {
  const token = await signToken(secret, { role: principal.role, sub: principal.id }, hours * 3600);
  return { ...principal, token };
}
