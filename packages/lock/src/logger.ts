/**
 * Where the lock writes its few log lines (a renewal that failed, a lost lock, a
 * replaced subscriber connection): pino's Logger fits, as does any object with these
 * two methods.
 */
export interface LockLogger {
  debug(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
}

/** The default: says nothing. */
export const silentLogger: LockLogger = { debug: () => undefined, warn: () => undefined };
