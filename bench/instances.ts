import os from 'node:os';
import path from 'node:path';
import { ApiInstance } from '../harness/procs/instances';
import { freePort } from '../support/net';
import type { BenchEnv } from './scenario';

/** A running API instance for the HTTP scenarios. */
export interface Instance {
  url: string;
  log: string;
  stop: () => Promise<void>;
}

const ROOT = path.resolve(__dirname, '..');

/**
 * Starts `src/server.ts` on a free port of 127.0.0.1 (the harness's ApiInstance: log
 * file, readiness on /readyz, SIGTERM then SIGKILL) and resolves once it is ready.
 */
export async function startInstance(
  root: string,
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<Instance> {
  const port = await freePort();
  const instance = new ApiInstance(port, { root, env, logDir: os.tmpdir() });
  await instance.start(timeoutMs);
  return { url: `http://127.0.0.1:${port}`, log: instance.logFile, stop: () => instance.stop() };
}

/**
 * The environment of the bench's API instances: the bench's servers, warn-level logs,
 * no payment-expiry passes (they would load the measurement and, on a shared database,
 * the tests', expire other users' overdue orders); `overrides` last.
 */
export function instanceEnv(
  env: BenchEnv,
  secret: string,
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: env.databaseUrl,
    REDIS_URL: env.redisUrl,
    AUTH_JWT_SECRET: secret,
    LOG_LEVEL: 'warn',
    SWEEP_INTERVAL_MS: '3600000',
    NODE_ENV: 'development',
    DB_POOL_MAX: String(env.ctx.config.DB_POOL_MAX),
    ...overrides,
  };
}

/**
 * Starts `count` instances at once; if one fails to start, stops the others and throws.
 * @returns the instances, all ready.
 */
export async function startInstances(
  count: number,
  env: Record<string, string>,
): Promise<Instance[]> {
  const started = await Promise.allSettled(
    Array.from({ length: count }, () => startInstance(ROOT, env)),
  );
  const instances = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    await stopInstances(instances);
    throw failed.reason;
  }
  return instances;
}

export async function stopInstances(instances: readonly Instance[]): Promise<void> {
  await Promise.all(instances.map((i) => i.stop()));
}
