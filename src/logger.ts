import pino from 'pino';
import type { Config } from './config';

export type Logger = pino.Logger;

/** Credentials a request carries: never written to a log line. */
export const REDACTED_PATHS = ['req.headers.authorization', 'req.headers.cookie'];

/** JSON logs on `destination` (stdout), one object a line, credentials redacted. */
export function createLogger(
  config: Pick<Config, 'LOG_LEVEL'>,
  destination?: pino.DestinationStream,
): Logger {
  const options = {
    level: config.LOG_LEVEL,
    base: { pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
