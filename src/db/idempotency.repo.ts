import type { Knex } from 'knex';

/** Who owns a key: the authenticated principal, and the request run that holds it now. */
export interface IdempotencyHandle {
  role: string;
  principalId: string;
  key: string;
  /** Random per request run: only the run that owns the record may complete or free it. */
  owner: string;
}

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

interface IdempotencyRow {
  request_hash: string;
  state: 'in_flight' | 'done';
  owner: string;
  lease_expired: boolean;
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: unknown;
}

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'in_flight' }
  | { kind: 'reused' };

const KEEP_HOURS = 24;

const pk = (h: IdempotencyHandle) => ({
  principal_role: h.role,
  principal_id: h.principalId,
  key: h.key,
});

/**
 * Claims `handle.key` for this run: a new key is inserted `in_flight` with a lease of
 * `leaseMs`; a key whose run died (lease over) is taken over; otherwise says why not.
 */
export async function claimKey(
  db: Knex,
  h: IdempotencyHandle,
  requestHash: string,
  leaseMs: number,
): Promise<Claim> {
  const inserted = await db.raw<{ rows: unknown[] }>(
    `insert into idempotency_keys (principal_role, principal_id, key, request_hash, state, owner, lease_until, expires_at)
     values (?, ?, ?, ?, 'in_flight', ?, now() + ? * interval '1 millisecond', now() + interval '${KEEP_HOURS} hours')
     on conflict do nothing returning 1`,
    [h.role, h.principalId, h.key, requestHash, h.owner, leaseMs],
  );
  if (inserted.rows.length === 1) return { kind: 'claimed' };
  const found = await db.raw<{ rows: IdempotencyRow[] }>(
    `select request_hash, state, owner, response_status, response_headers, response_body,
       lease_until < now() as lease_expired
     from idempotency_keys where principal_role = ? and principal_id = ? and key = ?`,
    [h.role, h.principalId, h.key],
  );
  const row = found.rows[0];
  if (!row) return claimKey(db, h, requestHash, leaseMs); // freed meanwhile: try again
  if (row.request_hash !== requestHash) return { kind: 'reused' };
  if (row.state === 'done') {
    return {
      kind: 'replay',
      response: {
        status: row.response_status ?? 500,
        headers: row.response_headers ?? {},
        body: row.response_body,
      },
    };
  }
  if (!row.lease_expired) return { kind: 'in_flight' };
  const taken = await db('idempotency_keys')
    .where({ ...pk(h), owner: row.owner, state: 'in_flight' })
    .update({
      owner: h.owner,
      lease_until: db.raw("now() + ? * interval '1 millisecond'", [leaseMs]),
    });
  return taken === 1 ? { kind: 'claimed' } : claimKey(db, h, requestHash, leaseMs);
}

/**
 * Stores the response of the run that owns the key. Call it in the same transaction as
 * the effect: when another run took the key over, it returns false and the caller rolls back.
 */
export async function completeKey(
  db: Knex,
  h: IdempotencyHandle,
  response: StoredResponse,
): Promise<boolean> {
  const updated = await db('idempotency_keys')
    .where({ ...pk(h), owner: h.owner, state: 'in_flight' })
    .update({
      state: 'done',
      response_status: response.status,
      response_headers: JSON.stringify(response.headers),
      response_body: JSON.stringify(response.body),
    });
  return updated === 1;
}

/** Frees a key whose run ended without an answer worth keeping (busy, unavailable). */
export async function releaseKey(db: Knex, h: IdempotencyHandle): Promise<void> {
  await db('idempotency_keys')
    .where({ ...pk(h), owner: h.owner, state: 'in_flight' })
    .delete();
}

/** Deletes records past their 24 hours; returns how many. */
export async function deleteExpiredKeys(db: Knex, limit = 1000): Promise<number> {
  const result = await db.raw<{ rowCount: number }>(
    `delete from idempotency_keys where ctid in
       (select ctid from idempotency_keys where expires_at < now() limit ?)`,
    [limit],
  );
  return result.rowCount;
}
