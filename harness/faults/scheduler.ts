import type { Knex } from 'knex';
import type { Recorder } from '../http/recorder';
import type { ApiInstance } from '../procs/instances';
import { sleep } from '../../support/time';
import type { SaleProbe } from '../types';
import type { LiveSale } from '../workload/sales';
import type { World } from '../workload/world';
import { consumerKill, relayKill, webhookFail, type EventsFaultContext } from './events';
import { killEpisode, killVariant } from './kill';
import { pauseEpisode } from './pause';
import { probeAfterRedisFault, probeText } from './probe';
import type { PrivateCluster } from '../procs/redis-cluster';
import { failoverEpisode, reshardEpisode } from './cluster';
import type { RedisControl, RedisTarget } from './redis-control';
import {
  CLUSTER_FAULTS,
  REDIS_FAULTS,
  type FaultName,
  type FaultOutcome,
  type FaultRecord,
} from './types';

export interface FaultContext extends Omit<EventsFaultContext, 'world' | 'instances'> {
  world: World;
  instances: readonly ApiInstance[];
  redis: RedisControl | undefined;
  /** The private Redis Cluster the instances use (--redis-cluster), else undefined. */
  cluster: PrivateCluster | undefined;
  /** The Redis the instances use (the kill between the gate and the database reads it). */
  redisTarget: RedisTarget;
  /** An admin connection of the harness (not one of the instances'). */
  db: Knex;
  recorder: Recorder;
  pauseMs: number;
  lockTtlMs: number;
  /** The instances' LOCK_WAIT_MS: a Redis stall lasts longer than that. */
  lockWaitMs: number;
  /** Mean time between two injections of each fault, in ms (each waits ±30 %). */
  periods: Record<FaultName, number>;
  /** Time between two flash sales, in ms; undefined without flash sales (nothing to aim at). */
  flashEveryMs: number | undefined;
}

/** Injects each selected fault on its own schedule until stopped. */
export class FaultScheduler {
  readonly log: FaultRecord[] = [];
  /** Time to sell again after each fault that may leave the stock gate wrong. */
  readonly probes: SaleProbe[] = [];
  private stopping = false;
  private wake: () => void = () => undefined;
  private readonly stopped = new Promise<void>((resolve) => (this.wake = resolve));
  private loops: Promise<void>[] = [];
  /** Requests a fault sent without waiting for them (the kill's paused PAY). */
  private readonly strays = new Set<Promise<unknown>>();
  /** The end of the last Redis fault's turn (see inRedisTurn). */
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
      let outcome: FaultOutcome | undefined;
      try {
        outcome = await this.inject(fault, n);
      } catch (error) {
        outcome = {
          detail: `${fault}#${n} failed: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      const endMs = this.ctx.recorder.now();
      // Undefined: a fault that waited for a flash sale and the run ended first.
      if (outcome) this.log.push({ fault, startMs, endMs, ...outcome });
      // The period runs from start to start; a long injection shortens the rest before the next.
      await this.nap(rng.int(period * 0.7, period * 1.3) - (endMs - startMs));
    }
  }

  private async nap(ms: number): Promise<void> {
    await Promise.race([sleep(ms), this.stopped]);
  }

  private inject(fault: FaultName, n: number): Promise<FaultOutcome | undefined> {
    if (fault === 'flushall' || fault === 'redis-restart') return this.redisLoss(fault, n);
    if (fault === 'failover') return this.failover(n);
    // A consumer-kill reads the stream's pending entries: it needs Redis up. Both events
    // kills also keep out of a probe's way (a probe sent to a dead instance is refused).
    const gated =
      (fault === 'kill' && killVariant(n) === 'gate') ||
      fault === 'consumer-kill' ||
      fault === 'relay-kill';
    return REDIS_FAULTS.includes(fault) || CLUSTER_FAULTS.includes(fault) || gated
      ? this.inRedisTurn(() => this.injectNow(fault, n))
      : this.injectNow(fault, n);
  }

  /**
   * The faults that act on Redis take turns (so does a kill between the stock gate and
   * the database, whose repair needs Redis): a cut or a stall sent while another fault
   * has Redis down would fail on the harness's side and test nothing of the service.
   */
  private inRedisTurn<T>(run: () => Promise<T>): Promise<T> {
    const turn = this.redisTurn.then(run);
    this.redisTurn = turn.catch(() => undefined);
    return turn;
  }

  private async injectNow(fault: FaultName, n: number): Promise<FaultOutcome | undefined> {
    switch (fault) {
      case 'pause':
        return pauseEpisode(this.ctx.world, n, this.ctx);
      case 'kill':
        return this.kill(n);
      case 'pg-drop':
        return { detail: await this.dropConnections(n) };
      case 'redis-stall':
        return { detail: await this.stallRedis(n) };
      case 'subscriber-cut':
        return { detail: `subscriber-cut#${n}: ${await this.cutSubscribers(n)}` };
      case 'flushall':
      case 'redis-restart':
        return this.redisLoss(fault, n);
      case 'relay-kill':
        return { detail: await relayKill(this.ctx, n) };
      case 'consumer-kill':
        return { detail: await consumerKill(this.ctx, n) };
      case 'webhook-fail':
        return { detail: await webhookFail(this.ctx, n) };
      case 'failover':
        return this.failover(n);
      case 'reshard':
        return { detail: await this.reshard(n) };
    }
  }

  /**
   * Redis loses every key: FLUSHALL, or a restart (down 0.3-1.5 s). A FLUSHALL, and every
   * other restart, first waits for the next flash sale no other fault aims at and strikes
   * 10-80 ms after its start, while its orders are in flight. Then (in the same turn, so no other Redis
   * fault slows it down) a probe orders until the product sells again.
   */
  private async redisLoss(
    fault: 'flushall' | 'redis-restart',
    n: number,
  ): Promise<FaultOutcome | undefined> {
    const redis = this.ctx.redis;
    if (!redis) return { detail: `${fault}#${n}: no Redis the harness may act on` };
    const sale = fault === 'flushall' || n % 2 === 0 ? await this.nextSale() : undefined;
    if (this.stopping && !sale) return undefined;
    return this.inRedisTurn(async () => {
      const startMs = this.ctx.recorder.now();
      const during = sale && !sale.over ? ` during flash sale #${sale.round}` : '';
      const done =
        fault === 'flushall'
          ? await redis.flush()
          : await redis.restart(this.ctx.world.rng.int(300, 1500));
      const endMs = this.ctx.recorder.now();
      const probe = await probeAfterRedisFault(this.ctx, `${fault}#${n}`, endMs, sale);
      this.probes.push(probe);
      return { detail: `${fault}#${n}: ${done}${during}; ${probeText(probe)}`, startMs, endMs };
    });
  }

  /**
   * The next flash sale that no other fault aims at, 10-80 ms after its start (its orders
   * are sent at the start and answered within a few hundred ms); undefined when none
   * opens within a flash period and 5 s, or the run ends first.
   */
  private async nextSale(): Promise<LiveSale | undefined> {
    const every = this.ctx.flashEveryMs;
    if (every === undefined) return undefined;
    const timeout = sleep(every + 5000).then(() => undefined);
    const stopped = this.stopped.then(() => undefined);
    for (;;) {
      const sale = await Promise.race([this.ctx.world.sales.next(), timeout, stopped]);
      if (!sale) return undefined;
      if (sale.aimed) continue;
      sale.aimed = true;
      await sleep(sale.startsAt + this.ctx.world.rng.int(10, 80) - Date.now());
      return sale;
    }
  }

  private async kill(n: number): Promise<FaultOutcome> {
    const { detail, probe } = await killEpisode(
      {
        ...this.ctx,
        stray: (request) => {
          this.strays.add(request);
          const forget = () => this.strays.delete(request);
          void request.then(forget, forget);
        },
      },
      n,
    );
    if (probe) this.probes.push(probe);
    return { detail };
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

  /**
   * A failover of the primary of a slot the workload uses (faults/cluster.ts). The
   * first, fourth, ... aim at the stock gates of the next flash sale no other fault aims
   * at, 10-80 ms after its start, as FLUSHALL does; from the replica's promotion (in the
   * same turn) a probe orders until that product sells again.
   */
  private async failover(n: number): Promise<FaultOutcome | undefined> {
    const cluster = this.ctx.cluster;
    if (!cluster) return { detail: `failover#${n}: no Redis Cluster of the harness's own` };
    const sale = n % 3 === 1 ? await this.nextSale() : undefined;
    if (this.stopping && !sale) return undefined;
    return this.inRedisTurn(async () => {
      const startMs = this.ctx.recorder.now();
      let probing: Promise<SaleProbe> | undefined;
      const aim = sale && {
        sale,
        promoted: () => {
          const promotedMs = this.ctx.recorder.now();
          probing = probeAfterRedisFault(this.ctx, `failover#${n}`, promotedMs, sale);
        },
      };
      let detail: string;
      try {
        detail = await failoverEpisode({ ...this.ctx, cluster }, n, aim);
      } catch (error) {
        // A probe started before the failure still counts: its product must sell again.
        const probe = await probing?.catch(() => undefined);
        if (probe) this.probes.push(probe);
        throw error;
      }
      const endMs = this.ctx.recorder.now();
      const probe = await probing;
      if (probe) this.probes.push(probe);
      return { detail: probe ? `${detail}; ${probeText(probe)}` : detail, startMs, endMs };
    });
  }

  /** A slot the workload uses moved to another primary and back (faults/cluster.ts). */
  private async reshard(n: number): Promise<string> {
    const cluster = this.ctx.cluster;
    if (!cluster) return `reshard#${n}: no Redis Cluster of the harness's own`;
    return reshardEpisode({ ...this.ctx, cluster }, n);
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
