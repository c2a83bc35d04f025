import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { track } from './children';
import { pollUntil } from '../../support/time';

export interface InstanceSettings {
  /** The project root (where `src/server.ts` is). */
  root: string;
  /** The environment of the API process (PORT is added). */
  env: Record<string, string>;
  /** Where `instance-<port>.log` goes. */
  logDir: string;
}

/** An exit the harness did not ask for. */
export interface Crash {
  port: number;
  code: number | null;
  signal: string | null;
  wallMs: number;
}

/**
 * One API instance: `node --import tsx src/server.ts` on a fixed port of 127.0.0.1, its
 * output appended to a log file. It can be killed (SIGKILL) and started again on the
 * same port, or stopped gracefully (SIGTERM).
 */
export class ApiInstance {
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  readonly crashes: Crash[] = [];
  starts = 0;

  constructor(
    readonly port: number,
    private readonly settings: InstanceSettings,
  ) {}

  get running(): boolean {
    return this.child !== undefined;
  }

  get logFile(): string {
    return path.join(this.settings.logDir, `instance-${this.port}.log`);
  }

  /** Starts the process and waits until `GET /readyz` is 200. */
  async start(timeoutMs = 30_000): Promise<void> {
    if (this.child) return;
    this.log ??= createWriteStream(this.logFile, { flags: 'a' });
    this.log.write(`--- start #${++this.starts} at ${new Date().toISOString()}\n`);
    // A cluster only when the harness runs one: not a REDIS_CLUSTER_NODES it inherited.
    const inherited = { ...process.env };
    delete inherited.REDIS_CLUSTER_NODES;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      cwd: this.settings.root,
      env: { ...inherited, ...this.settings.env, PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    track(child);
    this.child = child;
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    child.once('exit', (code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      this.crashes.push({ port: this.port, code, signal, wallMs: Date.now() });
      this.log?.write(`--- exited by itself: code ${code} signal ${signal}\n`);
    });
    const ready = await pollUntil(
      async () => this.child === child && (await this.ready()),
      timeoutMs,
      100,
    );
    if (!ready) {
      await this.kill();
      throw new Error(
        `API instance on port ${this.port} was not ready within ${timeoutMs} ms (see ${this.logFile})`,
      );
    }
  }

  /** `GET /readyz` answers 200. */
  async ready(): Promise<boolean> {
    try {
      const res = await fetch(`http://127.0.0.1:${this.port}/readyz`, {
        signal: AbortSignal.timeout(2000),
      });
      await res.arrayBuffer();
      return res.status === 200;
    } catch {
      return false;
    }
  }

  /** SIGKILL, as a crash or an OOM kill would: requests in flight get no answer. */
  async kill(): Promise<void> {
    await this.end('SIGKILL', 0);
  }

  /** SIGTERM (graceful shutdown), then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    await this.end('SIGTERM', graceMs);
    this.log?.end();
    this.log = undefined;
  }

  private async end(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    this.log?.write(`--- ${signal} at ${new Date().toISOString()}\n`);
    const exited = once(child, 'exit');
    child.kill(signal);
    const timer = graceMs > 0 ? setTimeout(() => child.kill('SIGKILL'), graceMs) : undefined;
    await exited;
    clearTimeout(timer);
  }
}
