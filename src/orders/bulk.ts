import type { InTransaction } from '../db/knex';
import { AppError } from '../errors';
import { LockBusyError } from '@order-coordinator/lock';
import { runTransition, type CoordinatorDeps } from './coordinator';
import type { Intent } from './intents';
import type { Actor } from './policy';
import type { OrderView } from './view';

/** One entry of a bulk request: an order, its `If-Match`, and the event to send it. */
export interface BulkEntry {
  orderId: string;
  ifMatch?: '*' | number[];
  intent: Intent;
}

/** What became of one entry: the order it left, or what refused it (thrown by runTransition). */
export type BulkOutcome =
  { orderId: string; ok: true; order: OrderView } | { orderId: string; ok: false; error: unknown };

/**
 * Entries in flight at once. Each waits for its own order's lock (up to LOCK_WAIT_MS when
 * the order is busy), so 100 entries run in at most 13 rounds rather than 100, while one
 * bulk request holds no more than 8 of the pool's PostgreSQL connections.
 */
const CONCURRENCY = 8;

/**
 * Sends one event to many orders, each through exactly the path of a single transition
 * (`runTransition`: its lock, re-read, `If-Match`, role, machine and version check). One
 * entry's refusal changes nothing for the others; outcomes come in the entries' order.
 * `inTransaction`, when given, runs once at the end with every outcome (the
 * Idempotency-Key's stored answer).
 * @throws only what `inTransaction`'s transaction throws; entries' errors are outcomes.
 */
export async function runBulkTransitions(
  deps: CoordinatorDeps,
  actor: Actor,
  entries: readonly BulkEntry[],
  inTransaction?: InTransaction<BulkOutcome[]>,
): Promise<BulkOutcome[]> {
  const outcomes: BulkOutcome[] = new Array<BulkOutcome>(entries.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < entries.length; i = next++) {
      const { orderId, ifMatch, intent } = entries[i] as BulkEntry;
      try {
        const order = await runTransition(deps, { orderId, actor, intent, ifMatch });
        outcomes[i] = { orderId, ok: true, order };
      } catch (error) {
        // Refusals are answers; anything else is a fault worth a log line, as the error
        // handler would write for a single call.
        if (!(error instanceof AppError || error instanceof LockBusyError))
          deps.logger.warn({ err: error, orderId }, 'bulk entry failed');
        outcomes[i] = { orderId, ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, entries.length) }, worker));
  if (inTransaction) await deps.db.transaction((trx) => inTransaction(trx, outcomes));
  return outcomes;
}
