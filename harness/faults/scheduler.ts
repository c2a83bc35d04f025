import type { Knex } from 'knex';
import type { Recorder } from '../http/recorder';
import type { ApiInstance } from '../procs/instances';
import { sleep } from '../../support/time';
import { transition } from '../workload/requests';
import type { World } from '../workload/world';
import { pauseEpisode } from './pause';
import type { RedisControl } from './redis-control';
import type { FaultName, FaultOutcome, FaultRecord } from './types';

export interface FaultContext {
  world: World;
  instances: readonly ApiInstance[];
  redis: RedisControl | undefined;
  /** An admin connection of the harness (not one of the instances'). */
  db: Knex;
  recorder: Recorder;
  pauseMs: number;
  lockTtlMs: number;
  /** The instances' LOCK_WAIT_MS: a Redis stall lasts longer than that. */
  lockWaitMs: number;
  /** Mean time between two injections of each fault, in ms (each waits ±30 %). */
  periods: Record<FaultName, number>;
}

/** Injects each selected fault on its own schedule until stopped. */
const REDIS_FAULTS = new Set<FaultName>(['redis-restart', 'redis-stall', 'subscriber-cut']);

export class FaultScheduler {
  readonly log: FaultRecord[] = [];
  private stopping = false;
  private wake: () => void = () => undefined;
  private readonly stopped = new Promise<void>((resolve) => (this.wake = resolve));
  private loops: Promise<void>[] = [];
  /** Requests a fault sent without waiting for them (the kill's paused PAY). */
  private readonly strays = new Set<Promise<unknown>>();
  /**
   * The faults that act on Redis take turns: a cut or a stall sent while another fault
   * has Redis down would fail on the harness's side and test nothing of the service.
   */
  private redisTurn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ctx: FaultContext,
    private readonly faults: readonly FaultName[],
  ) {}

  start(): void {
    this.loops = this.faults.map((f) => this.loop(f));
  }

  /** Stops scheduling and waits for the faults in progress to finish (restarts included). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await Promise.all(this.loops);
    await Promise.allSettled([...this.strays]);
  }

  private async loop(fault: FaultName): Promise<void> {
    const { rng } = this.ctx.world;
    const period = this.ctx.periods[fault];
    await this.nap(rng.int(period * 0.3, period));
    for (let n = 1; !this.stopping; n++) {
      const startMs = this.ctx.recorder.now();
      let outcome: FaultOutcome;
      try {
        outcome = await this.inject(fault, n);
      } catch (error) {
        outcome = {
          detail: `${fault}#${n} failed: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      const endMs = this.ctx.recorder.now();
      this.log.push({ fault, startMs, endMs, ...outcome });
      // The period runs from start to start; a long injection shortens the rest before the next.
      await this.nap(rng.int(period * 0.7, period * 1.3) - (endMs - startMs));
    }
  }

  private async nap(ms: number): Promise<void> {
    await Promise.race([sleep(ms), this.stopped]);
  }

  private inject(fault: FaultName, n: number): Promise<FaultOutcome> {
    if (!REDIS_FAULTS.has(fault)) return this.injectNow(fault, n);
    const turn = this.redisTurn.then(() => this.injectNow(fault, n));
    this.redisTurn = turn.catch(() => undefined);
    return turn;
  }

  private async injectNow(fault: FaultName, n: number): Promise<FaultOutcome> {
    switch (fault) {
      case 'pause':
        return pauseEpisode(this.ctx.world, n, this.ctx);
      case 'redis-restart':
        return { detail: await this.restartRedis() };
      case 'kill':
        return { detail: await this.kill(n) };
      case 'pg-drop':
        return { detail: await this.dropConnections(n) };
      case 'redis-stall':
        return { detail: await this.stallRedis(n) };
      case 'subscriber-cut':
        return { detail: `subscriber-cut#${n}: ${await this.cutSubscribers(n)}` };
    }
  }

  /**
   * Freezes Redis for longer than the instances' lock wait (by 0.5-1.5 s): requests in
   * flight then wait on a Redis call, not on a lock, and must still end in bounded time.
   */
  private async stallRedis(n: number): Promise<string> {
    if (!this.ctx.redis) return `redis-stall#${n}: no Redis the harness may stall`;
    const ms = this.ctx.lockWaitMs + this.ctx.world.rng.int(500, 1500);
    return `redis-stall#${n}: ${await this.ctx.redis.stall(ms)}`;
  }

  /**
   * Odd episodes close the subscriber connections (the client sees it and reconnects);
   * even ones, given a proxy, leave them open but silent for longer than the lock wait
   * (a half-open socket: the client sees nothing), then reset them.
   */
  private async cutSubscribers(n: number): Promise<string> {
    const redis = this.ctx.redis;
    if (!redis) return 'no Redis the harness may act on';
    if (n % 2 === 1 || !redis.halfOpenSubscribers) return redis.cutSubscribers();
    return redis.halfOpenSubscribers(this.ctx.lockWaitMs + this.ctx.world.rng.int(500, 1500));
  }

  private async restartRedis(): Promise<string> {
    if (!this.ctx.redis) return 'no Redis the harness may restart';
    return this.ctx.redis.restart(this.ctx.world.rng.int(300, 1500));
  }

  /**
   * SIGKILLs a running instance and starts it again on the same port. Half the time a
   * paused PAY is sent to it first, so the kill lands inside a critical section.
   */
  private async kill(n: number): Promise<string> {
    const { world } = this.ctx;
    const up = this.ctx.instances.filter((i) => i.running);
    if (up.length === 0) return `kill#${n}: no instance running`;
    const victim = world.rng.pick(up);
    let how = 'with whatever it had in flight';
    const pending = world.activeOrders().filter((o) => o.status === 'pending_payment');
    if (world.rng.chance(0.5) && pending.length > 0) {
      const order = world.rng.pick(pending);
      const body = { amountCents: order.totalCents };
      const stray = transition(world, order, 'pay', order.buyer, body, {
        port: victim.port,
        pauseMs: this.ctx.pauseMs,
        tag: `kill#${n}`,
        retries: 0,
      });
      this.strays.add(stray);
      const forget = () => this.strays.delete(stray);
      void stray.then(forget, forget);
      await sleep(250);
      how = `inside the critical section of a paused PAY on ${order.id}`;
    }
    await victim.kill();
    const downMs = world.rng.int(100, 1000);
    await sleep(downMs);
    await victim.start();
    return `kill#${n}: SIGKILL :${victim.port} ${how}; ready again after ${downMs} ms + start-up`;
  }

  /** Terminates every PostgreSQL connection of the instances (pg_terminate_backend). */
  private async dropConnections(n: number): Promise<string> {
    const names = this.ctx.instances.map((i) => `order-coordinator:${i.port}`);
    const result = await this.ctx.db.raw<{ rows: { n: number }[] }>(
      'select count(*)::int as n from (select pg_terminate_backend(pid) from pg_stat_activity where application_name = any(?::text[])) t',
      [names],
    );
    return `pg-drop#${n}: terminated ${result.rows[0]?.n ?? 0} connections`;
  }
}
