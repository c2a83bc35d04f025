import pino from 'pino';
import type { Config } from './config';

export type Logger = pino.Logger;

/** JSON logs on stdout, one object a line. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>): Logger {
  return pino({ level: config.LOG_LEVEL, base: { pid: process.pid } });
}
