import knex, { type Knex } from 'knex';
import pg from 'pg';
import type { Config } from '../config';
import type { Logger } from '../logger';

export type Db = Knex;

// int8 columns (money, counts) come back as numbers, not strings: every value the
// service stores stays below 2^53 (prices are capped at 10^9 minor units).
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/** How long a query waits for a free pooled connection before it fails (then 503). */
export const POOL_ACQUIRE_TIMEOUT_MS = 3000;

/**
 * The pool of PostgreSQL connections. Connection and acquire time-outs are short so
 * that an unreachable database turns into a quick 503, not a request that hangs.
 */
export function createDb(
  config: Pick<Config, 'DATABASE_URL' | 'DB_POOL_MAX'>,
  applicationName = 'order-coordinator',
  logger?: Logger,
): Db {
  // Knex prints its own warnings with console.log unless given a logger.
  const log = (level: 'warn' | 'error' | 'debug') => (message: unknown) =>
    logger?.[level]({ knex: String(message) }, 'knex');
  return knex({
    log: { warn: log('warn'), error: log('error'), debug: log('debug'), deprecate: log('warn') },
    client: 'pg',
    connection: {
      connectionString: config.DATABASE_URL,
      connectionTimeoutMillis: 2000,
      application_name: applicationName,
    },
    pool: { min: 0, max: config.DB_POOL_MAX },
    acquireConnectionTimeout: POOL_ACQUIRE_TIMEOUT_MS,
  });
}

/**
 * Work a caller adds to a use case's own transaction, after its write, with the use
 * case's result: it commits or rolls back with the write (the HTTP edge stores its
 * idempotent answer this way). Throwing rolls the write back.
 */
export type InTransaction<T> = (trx: Knex.Transaction, result: T) => Promise<void>;

/**
 * Runs `routine` with a Db whose raw statements and transactions all use one pool
 * connection, taken once and released at the end: a lock holder queues for the pool
 * once per critical section, not once per statement. Statements outside a transaction
 * still commit on their own. Only `raw` and `transaction` are bound (all the
 * coordinator uses); a query builder called on it takes a connection of its own.
 */
export async function onOneConnection<T>(db: Db, routine: (session: Db) => Promise<T>): Promise<T> {
  // knex's Client types its pool methods loosely.
  const client = db.client as {
    acquireConnection: () => Promise<unknown>;
    releaseConnection: (connection: unknown) => Promise<unknown>;
  };
  const connection = await client.acquireConnection();
  const session = new Proxy(db, {
    get(target, property, receiver) {
      if (property === 'raw') {
        return (...args: Parameters<Db['raw']>) =>
          // The runner uses a builder's `_connection` when it has one, as the public
          // QueryBuilder.connection() sets it; Raw has no setter of its own.
          Object.assign(target.raw(...args), { _connection: connection });
      }
      if (property === 'transaction') {
        return (
          handler: (trx: Knex.Transaction) => Promise<unknown>,
          config?: Knex.TransactionConfig,
        ) => target.transaction(handler, { ...config, connection } as Knex.TransactionConfig);
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });
  try {
    return await routine(session);
  } finally {
    await client.releaseConnection(connection);
  }
}
