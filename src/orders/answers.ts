import type { Knex } from 'knex';
import { completeKey, type IdempotencyHandle, type StoredResponse } from '../db/idempotency.repo';
import { AppError } from '../errors';

/**
 * Stores `response` under the request's Idempotency-Key, in the caller's transaction
 * (no-op without a key). Throws when another run of the same key took it over (this
 * run's lease ran out), so that the caller's transaction rolls back and writes nothing.
 */
export async function storeAnswer(
  trx: Knex,
  idempotency: IdempotencyHandle | undefined,
  response: StoredResponse,
): Promise<void> {
  if (idempotency && !(await completeKey(trx, idempotency, response))) {
    throw new AppError(
      'idempotency_key_in_flight',
      'Another request with this Idempotency-Key took over.',
      {
        retryAfterSeconds: 1,
      },
    );
  }
}
