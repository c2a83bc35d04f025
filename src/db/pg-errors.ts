/** What a PostgreSQL or pool error means to the service. */
interface PgLikeError {
  code?: unknown;
  constraint?: unknown;
  name?: unknown;
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  '57P01', // admin_shutdown: the connection was terminated (pg_terminate_backend)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
  '53300', // too_many_connections
  '40P01', // deadlock_detected: the transaction was rolled back, nothing was written
  '40001', // serialization_failure: likewise
]);

/**
 * True when the database could not be reached, dropped the connection, or rolled the
 * transaction back on its own (deadlock, serialization): nothing was written, retry later.
 */
export function isDbUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, name } = error as PgLikeError;
  if (name === 'KnexTimeoutError') return true;
  if (typeof code === 'string' && (CONNECTION_CODES.has(code) || code.startsWith('08')))
    return true;
  const message = error instanceof Error ? error.message : '';
  // pg's own connect time-out is a plain Error('timeout expired') with no code.
  return /Connection terminated|connection timeout|timeout expired|Client has encountered a connection error/i.test(
    message,
  );
}

/** The name of the unique constraint a 23505 error broke, else undefined. */
export function uniqueViolation(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, constraint } = error as PgLikeError;
  return code === '23505' && typeof constraint === 'string' ? constraint : undefined;
}
