import { randomUUID } from 'node:crypto';
import { commandDelta, commandStats } from '../../support/redis-stats';
import { sleep } from '../../support/time';
import { splitDelta, total } from '../commands';
import { coordinatorDeps, lockManager } from '../coordinator';
import { runGroups, type ClientGroup } from '../driver';
import { RawLock } from '../raw-lock';
import { figure, type BenchEnv, type Figure, type Scenario } from '../scenario';
import { median } from '../stats';
import { viaCoordinator } from '../transitions';
import { lockKey, type LockManager } from '@order-coordinator/lock';
import { totalFor, WaitLog } from './common';

/** Processes simulated by separate lock managers (each with its own Redis connection). */
const MANAGERS = 4;

/** One counting window: Redis commands per successful operation, both ways of counting. */
export interface CountRep {
  ok: number;
  /** EVALSHA/SUBSCRIBE-family calls per operation in the INFO commandstats delta. */
  serverPerOp: number;
  /** Commands run inside the lock scripts per operation (INFO counts those too). */
  inScriptsPerOp: number;
  /** Commands this process sent per operation (exact; other clients do not count). */
  clientPerOp: number;
  waitP50: number;
  byCommand: Record<string, number>;
}

/**
 * 4b. Redis commands per transition from `INFO commandstats` deltas (read on a connection
 * of its own, less its own INFO), uncontended and contended, and per lock acquisition as
 * the wait grows (a lock hold of 2 ms against 20 ms): no polling means no growth.
 */
export const lockCommands: Scenario = {
  id: 'lock-commands',
  run: async (env: BenchEnv) => {
    const { ctx, world, settings } = env;
    const info = await ctx.redis('bench-info-stats');
    env.counter.ignore(info);
    const managers: LockManager[] = [];
    const waits = new WaitLog();
    for (let i = 0; i < MANAGERS; i++) {
      const { locks, tap } = lockManager(await ctx.redis(`bench-commands-${i}`), ctx.logger);
      tap.sink = waits.sink;
      managers.push(locks);
    }
    const raws: RawLock[] = [];
    for (let i = 0; i < MANAGERS; i++) {
      raws.push(new RawLock(await ctx.redis(`bench-raw-${i}`), ctx.config.LOCK_TTL_MS));
    }
    const tx = managers.map((m) =>
      viaCoordinator(coordinatorDeps(ctx.db, m, ctx.config, ctx.logger), world.merchant),
    );
    const uncontendedOrders = await world.orders(16);
    const opts = { ttlMs: ctx.config.LOCK_TTL_MS, waitMs: ctx.config.LOCK_WAIT_MS };

    const window = async (
      name: string,
      groups: () => Promise<ClientGroup[]>,
      rawWaits?: WaitLog,
    ) => {
      const built = await groups();
      env.counter.take();
      waits.reset();
      rawWaits?.reset();
      const before = await commandStats(info);
      const runs = await runGroups(built, {
        durationMs: settings.durationMs,
        maxOps: settings.countOps,
      });
      const after = await commandStats(info);
      const client = env.counter.take();
      const ok = runs.reduce((sum, r) => sum + r.ok, 0);
      const server = splitDelta(commandDelta(before, after));
      const rep: CountRep = {
        ok,
        serverPerOp: server.roundTrips / Math.max(1, ok),
        inScriptsPerOp: server.inScripts / Math.max(1, ok),
        clientPerOp: total(client) / Math.max(1, ok),
        waitP50: (rawWaits ?? waits).spread().p50,
        byCommand: Object.fromEntries(client),
      };
      env.progress(
        `[lock-commands] ${name}: ${ok} ops, ${rep.serverPerOp.toFixed(2)} round trips/op (INFO), ` +
          `${rep.clientPerOp.toFixed(2)} (this process), ${rep.inScriptsPerOp.toFixed(1)} in scripts, wait p50 ${rep.waitP50.toFixed(1)} ms`,
      );
      return rep;
    };

    const perManager = (clients: number, op: (m: number) => ClientGroup['op']) =>
      Array.from({ length: MANAGERS }, (_, m): ClientGroup => ({
        name: `m${m}`,
        clients,
        op: op(m),
      }));
    const oneKey = () => lockKey(`bench-${randomUUID().slice(0, 8)}`, 'hot');
    const holding = (holdMs: number, raw: boolean, rawWaits: WaitLog) => () => {
      const key = oneKey();
      return Promise.resolve(
        perManager(2, (m) => async () => {
          if (!raw) return managers[m]?.withLock(key, opts, () => sleep(holdMs));
          const t0 = performance.now();
          await raws[m]?.withLock(key, opts.waitMs, async () => {
            rawWaits.sink(performance.now() - t0);
            await sleep(holdMs);
          });
        }),
      );
    };
    const rawWaits = new WaitLog();
    const cases = {
      uncontended: () =>
        Promise.resolve([
          {
            name: 'uncontended',
            clients: 16,
            op: (c: number, n: number) =>
              (tx[0] ?? (() => Promise.resolve()))(uncontendedOrders[c] ?? '', totalFor(n)),
          },
        ]),
      contended: async () => {
        const [order] = await world.orders(1);
        return perManager(
          8,
          (m) => (_c, n) => (tx[m] ?? (() => Promise.resolve()))(order ?? '', totalFor(n)),
        );
      },
      hold2: holding(2, false, rawWaits),
      hold20: holding(20, false, rawWaits),
      rawHold2: holding(2, true, rawWaits),
      rawHold20: holding(20, true, rawWaits),
    };
    type Case = keyof typeof cases;
    const reps = Object.fromEntries(Object.keys(cases).map((k) => [k, [] as CountRep[]])) as Record<
      Case,
      CountRep[]
    >;
    for (const [name, groups] of Object.entries(cases) as [Case, () => Promise<ClientGroup[]>][]) {
      await window(`${name} warm-up`, groups, name.startsWith('raw') ? rawWaits : undefined);
      for (let rep = 1; rep <= settings.reps; rep++) {
        reps[name].push(
          await window(
            `${name} rep ${rep}/${settings.reps}`,
            groups,
            name.startsWith('raw') ? rawWaits : undefined,
          ),
        );
      }
    }
    await Promise.all(managers.map((m) => m.close()));
    return result(reps);
  },
};

function result(reps: Record<string, CountRep[]>) {
  const get = (name: string, key: 'serverPerOp' | 'clientPerOp' | 'waitP50') =>
    (reps[name] ?? []).map((r) => r[key]);
  const growth = (a: string, b: string) =>
    (reps[a] ?? []).map((r, i) => r.clientPerOp / (reps[b]?.[i]?.clientPerOp ?? NaN));
  const figures: Figure[] = [
    {
      measure: 'round trips per uncontended transition (INFO)',
      unit: 'commands',
      candidate: median(get('uncontended', 'serverPerOp')),
      target: '2',
      met: Math.abs(median(get('uncontended', 'serverPerOp')) - 2) < 0.05,
    },
    {
      measure: 'round trips per uncontended transition (this process)',
      unit: 'commands',
      candidate: median(get('uncontended', 'clientPerOp')),
    },
    {
      measure: `round trips per contended transition, ${MANAGERS} managers x 8 clients (INFO)`,
      unit: 'commands',
      candidate: median(get('contended', 'serverPerOp')),
    },
    figure(
      'round trips per acquisition, hold 2 ms (this process)',
      'commands',
      get('hold2', 'clientPerOp'),
      get('rawHold2', 'clientPerOp'),
    ),
    figure(
      'round trips per acquisition, hold 20 ms (this process)',
      'commands',
      get('hold20', 'clientPerOp'),
      get('rawHold20', 'clientPerOp'),
    ),
    figure('wait p50 at hold 20 ms', 'ms', get('hold20', 'waitP50'), get('rawHold20', 'waitP50')),
    {
      ...figure(
        'growth of round trips, hold 20 ms / 2 ms',
        'ratio',
        growth('hold20', 'hold2'),
        growth('rawHold20', 'rawHold2'),
      ),
      target: 'coordinator <= 1.25 (no polling)',
    },
  ];
  const last = figures[figures.length - 1];
  if (last) {
    last.ratio = undefined;
    last.met = last.candidate <= 1.25;
  }
  return {
    id: 'lock-commands',
    title: `4b. Redis commands per transition and per acquisition (${MANAGERS} lock managers = ${MANAGERS} processes)`,
    candidate: 'coordinator / LockManager (queue + pub/sub wake-up)',
    baseline: 'SET NX PX polling every 5 ms + Lua delete (rows with a baseline)',
    figures,
    reps,
    notes: [
      'INFO commandstats also counts the commands a Lua script runs and every other client of the server: round trips there are the EVALSHA/EVAL/SUBSCRIBE-family calls; "this process" counts what the bench itself sent.',
    ],
  };
}
