import { coordinatorDeps, lockManager } from '../coordinator';
import { runGroups } from '../driver';
import { compare, field, figure, type BenchEnv, type Scenario } from '../scenario';
import { versionCheckOnly, viaCoordinator, type Transition } from '../transitions';
import { describeRun, summary, totalFor, type RunSummary } from './common';

const CLIENTS = 16;
const ORDERS_PER_CLIENT = 4;

/**
 * 1. Uncontended: 16 clients, each on orders of its own, through the coordinator, against
 * the same load + plan + write with only the version check (no Redis at all).
 */
export const uncontended: Scenario = {
  id: 'uncontended',
  run: async (env: BenchEnv) => {
    const { ctx, world } = env;
    const orders = await world.orders(CLIENTS * ORDERS_PER_CLIENT);
    const { locks } = lockManager(await ctx.redis('bench-uncontended'), ctx.logger);
    const deps = coordinatorDeps(ctx.db, locks, ctx.config, ctx.logger);
    const side = (name: string, tx: Transition) => ({
      name,
      describe: (r: RunSummary) => describeRun(r),
      run: async (limits: { durationMs: number; maxOps: number }) => {
        const op = (client: number, n: number) =>
          tx(orders[client * ORDERS_PER_CLIENT + (n % ORDERS_PER_CLIENT)] ?? '', totalFor(n >> 2));
        const [run] = await runGroups([{ name, clients: CLIENTS, op }], limits);
        return summary(run);
      },
    });
    const reps = await compare(
      env,
      'uncontended',
      side('coordinator', viaCoordinator(deps, world.merchant)),
      side('version check only', versionCheckOnly(ctx.db, world.merchant)),
    );
    await locks.close();
    const { candidate: c, baseline: b } = reps;
    return {
      id: 'uncontended',
      title: `1. Uncontended: ${CLIENTS} clients, own orders`,
      candidate: 'coordinator (Redis lock + version check)',
      baseline: 'load + plan + write, version check only, retry on conflict',
      figures: [
        figure('throughput', 'tx/s', field(c, 'opsPerSec'), field(b, 'opsPerSec'), {
          text: 'ratio >= 0.9',
          met: (r) => r >= 0.9,
        }),
        figure('latency p50', 'ms', field(c, 'p50'), field(b, 'p50')),
        figure('latency p99', 'ms', field(c, 'p99'), field(b, 'p99')),
        figure(
          'bench process CPU per transition',
          'ms',
          field(c, 'cpuMsPerOp'),
          field(b, 'cpuMsPerOp'),
        ),
      ],
      reps,
      notes: [],
    };
  },
};
