import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import Redis from 'ioredis';
import { track } from './children';
import { freePort } from '../../support/net';
import { pollUntil } from '../../support/time';

/**
 * A redis-server of the harness's own on a free port of 127.0.0.1, with nothing saved
 * to disk: the redis-restart fault stops and starts it without touching the project's
 * shared Redis, which other test files use at the same time.
 */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly args: readonly string[],
  ) {}

  /** `args` are added to the command line (later options win: `--appendonly yes`). */
  static async start(args: readonly string[] = []): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), args);
    await redis.start();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(
      'redis-server',
      [
        ...['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no'],
        ...this.args,
      ],
      { stdio: 'ignore' },
    );
    track(child);
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    child.once('error', () => undefined);
    if (!(await pollUntil(() => this.answers(), 10_000, 50))) {
      throw new Error(`redis-server on port ${this.port} did not start`);
    }
  }

  /**
   * Freezes the server (SIGSTOP): connections stay open and commands get no answer, as
   * with a stalled host, until `resume`. Nothing is lost.
   */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  /** Lets a frozen server run again (SIGCONT). */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Kills the server (SIGKILL: every lock and key is gone) and waits until it is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = once(child, 'exit');
    child.kill('SIGKILL'); // kills a frozen (SIGSTOPped) server too
    await exited;
  }

  private async answers(): Promise<boolean> {
    const probe = new Redis(this.port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  }
}
