import { coordinatorDeps, lockManager } from '../coordinator';
import { runGroups, type RunLimits } from '../driver';
import { compare, field, figure, type BenchEnv, type Scenario } from '../scenario';
import { rowLock, viaCoordinator, type Transition } from '../transitions';
import { describeRun, summary, totalFor, type RunSummary } from './common';

const HOT_CLIENTS = 64;
const COLD_CLIENTS = 16;
const ORDERS_PER_COLD_CLIENT = 4;

export interface HotColdRep {
  hot: RunSummary;
  cold: RunSummary;
  coldOpsPerSec: number;
  coldP99: number;
  hotOpsPerSec: number;
}

/**
 * 3. Hot and cold together: 64 clients on one hot order while 16 clients work on orders
 * of their own, all in one process with one pool of DB_POOL_MAX connections; the
 * coordinator against the same with SELECT ... FOR UPDATE everywhere.
 */
export const hotAndCold: Scenario = {
  id: 'hot-and-cold',
  run: async (env: BenchEnv) => {
    const { ctx, world } = env;
    const cold = await world.orders(COLD_CLIENTS * ORDERS_PER_COLD_CLIENT);
    const { locks } = lockManager(await ctx.redis('bench-hot-cold'), ctx.logger);
    const deps = coordinatorDeps(ctx.db, locks, ctx.config, ctx.logger);
    const side = (name: string, tx: Transition) => ({
      name,
      describe: (r: HotColdRep) => `cold ${describeRun(r.cold)} | hot ${describeRun(r.hot)}`,
      run: async (limits: RunLimits): Promise<HotColdRep> => {
        const [hotOrder] = await world.orders(1);
        const coldOp = (client: number, n: number) =>
          tx(
            cold[client * ORDERS_PER_COLD_CLIENT + (n % ORDERS_PER_COLD_CLIENT)] ?? '',
            totalFor(n >> 2),
          );
        const hotOp = (_client: number, n: number) => tx(hotOrder ?? '', totalFor(n));
        const [hot, coldRun] = await runGroups(
          [
            { name: 'hot', clients: HOT_CLIENTS, op: hotOp },
            { name: 'cold', clients: COLD_CLIENTS, op: coldOp },
          ],
          limits,
        );
        const h = summary(hot);
        const c = summary(coldRun);
        return {
          hot: h,
          cold: c,
          coldOpsPerSec: c.opsPerSec,
          coldP99: c.p99,
          hotOpsPerSec: h.opsPerSec,
        };
      },
    });
    const reps = await compare(
      env,
      'hot-and-cold',
      side('coordinator', viaCoordinator(deps, world.merchant)),
      side('SELECT FOR UPDATE', rowLock(ctx.db, world.merchant)),
    );
    await locks.close();
    const { candidate: c, baseline: b } = reps;
    return {
      id: 'hot-and-cold',
      title: `3. Hot and cold: ${HOT_CLIENTS} clients on one order + ${COLD_CLIENTS} on their own, pool of ${ctx.config.DB_POOL_MAX}`,
      candidate: 'coordinator (Redis lock + version check)',
      baseline: 'SELECT ... FOR UPDATE transactions, same pool',
      figures: [
        figure('cold throughput', 'tx/s', field(c, 'coldOpsPerSec'), field(b, 'coldOpsPerSec'), {
          text: 'ratio >= 1.5',
          met: (r) => r >= 1.5,
        }),
        figure('cold latency p99', 'ms', field(c, 'coldP99'), field(b, 'coldP99'), {
          text: 'ratio < 1 (lower)',
          met: (r) => r < 1,
        }),
        figure('hot throughput', 'tx/s', field(c, 'hotOpsPerSec'), field(b, 'hotOpsPerSec')),
      ],
      reps,
      notes: [],
    };
  },
};
