import { coordinatorDeps, lockManager } from '../coordinator';
import { runGroups, type RunLimits } from '../driver';
import { compare, field, figure, fmt, type BenchEnv, type Scenario } from '../scenario';
import type { Spread } from '../stats';
import { rowLock, viaCoordinator, type Transition, type WaitSink } from '../transitions';
import { describeRun, summary, totalFor, WaitLog, type RunSummary } from './common';

const CLIENTS = 32;

/** A hot-order repetition: the run, and the spread of waits for the order's turn. */
export interface HotRep extends RunSummary {
  wait: Spread;
  /** Fewest / most transitions of one client: 1 is a perfectly even share. */
  share: number;
}

/**
 * 2. One hot order: 32 clients on one order, the coordinator against PostgreSQL's row lock
 * (SELECT ... FOR UPDATE, then the same load + plan + write in that transaction). Each
 * repetition gets a fresh order. Waits: the lock wait (local queue + Redis) for the
 * coordinator, the time to the row lock (pool wait included) for the baseline.
 */
export const hotOrder: Scenario = {
  id: 'hot-order',
  run: async (env: BenchEnv) => {
    const { ctx, world } = env;
    const { locks, tap } = lockManager(await ctx.redis('bench-hot'), ctx.logger);
    const deps = coordinatorDeps(ctx.db, locks, ctx.config, ctx.logger);
    const side = (
      name: string,
      make: (sink: WaitSink) => Transition,
      setSink?: (s: WaitSink) => void,
    ) => {
      const waits = new WaitLog();
      const tx = make(waits.sink);
      setSink?.(waits.sink);
      return {
        name,
        describe: (r: HotRep) =>
          `${describeRun(r)}; wait p50 ${fmt(r.wait.p50)} p99 ${fmt(r.wait.p99)} max ${fmt(r.wait.max)} ms`,
        run: async (limits: RunLimits): Promise<HotRep> => {
          const [order] = await world.orders(1);
          waits.reset();
          const op = (_client: number, n: number) => tx(order ?? '', totalFor(n));
          const run = summary((await runGroups([{ name, clients: CLIENTS, op }], limits))[0]);
          const share = run.perClientMax > 0 ? run.perClientMin / run.perClientMax : 0;
          return { ...run, wait: waits.spread(), share };
        },
      };
    };
    const reps = await compare(
      env,
      'hot-order',
      side(
        'coordinator',
        () => viaCoordinator(deps, world.merchant),
        (s) => (tap.sink = s),
      ),
      side('SELECT FOR UPDATE', (sink) => rowLock(ctx.db, world.merchant, sink)),
    );
    await locks.close();
    const { candidate: c, baseline: b } = reps;
    const waits = (reps: HotRep[], key: keyof Spread) => reps.map((r) => r.wait[key]);
    return {
      id: 'hot-order',
      title: `2. One hot order: ${CLIENTS} clients`,
      candidate: 'coordinator (Redis lock + version check)',
      baseline: 'transaction: SELECT ... FOR UPDATE, then load + plan + write',
      figures: [
        figure('throughput', 'tx/s', field(c, 'opsPerSec'), field(b, 'opsPerSec'), {
          text: 'ratio >= 0.8',
          met: (r) => r >= 0.8,
        }),
        figure('wait p50', 'ms', waits(c, 'p50'), waits(b, 'p50')),
        figure('wait p99', 'ms', waits(c, 'p99'), waits(b, 'p99')),
        figure('wait max', 'ms', waits(c, 'max'), waits(b, 'max')),
        figure('latency p99', 'ms', field(c, 'p99'), field(b, 'p99')),
        figure(
          'bench process CPU per transition',
          'ms',
          field(c, 'cpuMsPerOp'),
          field(b, 'cpuMsPerOp'),
        ),
        figure(
          'fairness: min/max transitions per client',
          'ratio',
          field(c, 'share'),
          field(b, 'share'),
        ),
      ],
      reps,
      notes: [],
    };
  },
};
