import { createHash, randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Config } from '../config';
import { canonicalJson } from '../json';
import type { Db, InTransaction } from '../db/knex';
import {
  claimKey,
  releaseKey,
  completeKey,
  type IdempotencyHandle,
  type StoredResponse,
} from '../db/idempotency.repo';
import { AppError } from '../errors';
import type { Actor } from '../orders/policy';
import { toAppError } from './problem';

const KEY = /^[\x20-\x7e]{1,255}$/;

/** Answers whose repeat would be the same: kept for replay. Transient ones free the key. */
const TRANSIENT = new Set([
  'order_busy',
  'dependency_unavailable',
  'internal',
  'idempotency_key_in_flight',
]);

export function sendStored(res: Response, response: StoredResponse, replayed = false): void {
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (replayed) res.setHeader('Idempotent-Replayed', 'true');
  const problem = response.status >= 400;
  res
    .status(response.status)
    .type(problem ? 'application/problem+json' : 'application/json')
    .send(JSON.stringify(response.body));
}

/** The same key must come with the same request: method, path and (canonical) body. */
export function requestHash(req: Request): string {
  return createHash('sha256')
    .update(`${req.method} ${req.baseUrl}${req.path}\n${canonicalJson(req.body)}`)
    .digest('hex');
}

/**
 * How long a run keeps its key before a retry may take it over. A transition may wait
 * for the order's lock twice (a write refused by the version check is retried once from
 * a fresh lock), and each attempt waits up to LOCK_WAIT_MS and holds about a lease; 5 s
 * cover the rest. A run slower than this loses the key and, since its answer is stored
 * in its transition's own transaction by the key's owner only, writes nothing.
 */
export function idempotencyLeaseMs(config: Pick<Config, 'LOCK_WAIT_MS' | 'LOCK_TTL_MS'>): number {
  return 2 * (config.LOCK_WAIT_MS + config.LOCK_TTL_MS) + 5000;
}

/**
 * Runs a POST under its `Idempotency-Key`, if it has one (contract: scoped to the
 * principal, kept 24 hours): a repeat with the same body replays the stored answer, a
 * different body is 422, a repeat while the first still runs is 409. `run` is the use
 * case; it gets the work that stores the answer (`respond` of its result) in its own
 * transaction, with its effect, so an effect and its stored answer commit together.
 */
export async function idempotent<T>(
  deps: { db: Db; config: Pick<Config, 'LOCK_WAIT_MS' | 'LOCK_TTL_MS'> },
  req: Request,
  res: Response,
  actor: Actor,
  run: (inTransaction: InTransaction<T> | undefined) => Promise<T>,
  respond: (result: T) => StoredResponse,
): Promise<void> {
  const key = req.headers['idempotency-key'];
  if (key === undefined) {
    sendStored(res, respond(await run(undefined)));
    return;
  }
  const handle = await claim(deps, req, res, actor, key);
  if (handle === undefined) return;
  let response: StoredResponse;
  try {
    response = respond(await run((trx, result) => storeAnswer(trx, handle, respond(result))));
  } catch (error) {
    const appError = toAppError(error);
    if (TRANSIENT.has(appError.code)) {
      await freeKey(deps.db, handle);
      throw error;
    }
    response = { status: appError.status, headers: {}, body: appError.toProblem() };
    // Kept only if this run still owns the key; either way this caller gets the answer.
    // A refusal may have needed no query at all (the stock gate answers from Redis), so
    // this can be the run's first use of a pooled connection PostgreSQL dropped
    // meanwhile: one more try gets a fresh one (the update is conditional, so a repeat
    // is harmless), else the key would stay claimed until its lease ends.
    await completeKey(deps.db, handle, response).catch(() =>
      completeKey(deps.db, handle, response),
    );
  }
  sendStored(res, response);
}

/**
 * Frees the key after an answer that is not kept, so the client's retry runs at once. A
 * pooled connection that PostgreSQL dropped meanwhile fails its first use only, so one
 * more try gets a fresh one; if that fails too, the key frees itself when its lease ends.
 */
async function freeKey(db: Db, handle: IdempotencyHandle): Promise<void> {
  await releaseKey(db, handle)
    .catch(() => releaseKey(db, handle))
    .catch(() => undefined);
}

/**
 * Claims the request's key for this run; answers a replay itself (then undefined).
 * @throws AppError validation_failed, idempotency_key_reused, idempotency_key_in_flight.
 */
async function claim(
  deps: { db: Db; config: Pick<Config, 'LOCK_WAIT_MS' | 'LOCK_TTL_MS'> },
  req: Request,
  res: Response,
  actor: Actor,
  key: string | string[],
): Promise<IdempotencyHandle | undefined> {
  if (typeof key !== 'string' || !KEY.test(key)) {
    throw new AppError(
      'validation_failed',
      'Idempotency-Key must be 1 to 255 printable ASCII characters.',
      {
        extensions: {
          errors: [
            {
              path: 'headers.idempotency-key',
              message: 'must be 1-255 printable ASCII characters',
            },
          ],
        },
      },
    );
  }
  const handle: IdempotencyHandle = {
    role: actor.role,
    principalId: actor.id,
    key,
    owner: randomUUID(),
  };
  const claimed = await claimKey(
    deps.db,
    handle,
    requestHash(req),
    idempotencyLeaseMs(deps.config),
  );
  switch (claimed.kind) {
    case 'replay':
      sendStored(res, claimed.response, true);
      return undefined;
    case 'reused':
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was used with another request.',
      );
    case 'in_flight':
      throw new AppError(
        'idempotency_key_in_flight',
        'A request with this Idempotency-Key is still running.',
        { retryAfterSeconds: 1 },
      );
    case 'claimed':
      return handle;
  }
}

/**
 * Stores `response` under the request's key, in the effect's transaction. Throws when
 * another run of the same key took it over (this run's lease ran out), so that the
 * transaction rolls back and writes nothing.
 */
async function storeAnswer(
  trx: Db,
  handle: IdempotencyHandle,
  response: StoredResponse,
): Promise<void> {
  if (!(await completeKey(trx, handle, response))) {
    throw new AppError(
      'idempotency_key_in_flight',
      'Another request with this Idempotency-Key took over.',
      { retryAfterSeconds: 1 },
    );
  }
}
