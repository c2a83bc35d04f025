import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { freePort } from '../../support/net';
import { waitUntil } from '../../support/time';

const root = path.resolve(__dirname, '../..');

/**
 * Spawned instances share the test database with every other test file, and a sweeper
 * expires every overdue order of its database: an hour between passes (the maximum)
 * means none runs while a test lasts. A test of the sweeper passes its own interval.
 */
const NO_SWEEPS = { SWEEP_INTERVAL_MS: '3600000' };

/** An API instance in a process of its own (`src/server.ts` through tsx). */
export interface SpawnedInstance {
  child: ChildProcess;
  port: number;
  url: string;
  output: () => string;
  /** SIGTERM, then SIGKILL after 5 s; resolves with the exit code. */
  stop: () => Promise<number | null>;
}

export async function spawnInstance(
  env: NodeJS.ProcessEnv = {},
  port?: number,
): Promise<SpawnedInstance> {
  const chosen = port ?? (await freePort());
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(chosen), LOG_LEVEL: 'info', ...NO_SWEEPS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null]>;
  return {
    child,
    port: chosen,
    url: `http://127.0.0.1:${chosen}`,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      return child.exitCode;
    },
  };
}

/** GET status of `route`, 0 when nothing answers. */
export async function statusOf(url: string, route: string): Promise<number> {
  try {
    return (await fetch(`${url}${route}`)).status;
  } catch {
    return 0;
  }
}

export async function waitReady(instance: SpawnedInstance, timeoutMs = 30_000): Promise<void> {
  await waitUntil(
    async () => (await statusOf(instance.url, '/readyz')) === 200,
    timeoutMs,
    `instance ${instance.port} to be ready`,
  );
}
