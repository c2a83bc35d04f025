import os from 'node:os';
import { ApiInstance } from '../harness/procs/instances';
import { freePort } from '../support/net';

/** A running API instance for the HTTP scenario. */
export interface Instance {
  url: string;
  log: string;
  stop: () => Promise<void>;
}

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
