import { coordinatorDeps, lockManager } from '../coordinator';
import { runGroups, type RunLimits } from '../driver';
import { compare, field, figure, type BenchEnv, type Scenario, type Side } from '../scenario';
import { viaCoordinator, type Transition } from '../transitions';
import { describeRun, summary, totalFor, type RunSummary } from './common';

const UNCONTENDED_CLIENTS = 16;
const ORDERS_PER_CLIENT = 4;
const HOT_CLIENTS = 32;

/** Throughput and latency p50 / p99 of one load, cluster against one Redis. */
function figuresOf(load: string, reps: { candidate: RunSummary[]; baseline: RunSummary[] }) {
  const row = (measure: string, unit: string, key: 'opsPerSec' | 'p50' | 'p99') =>
    figure(`${load} ${measure}`, unit, field(reps.candidate, key), field(reps.baseline, key));
  return [
    row('throughput', 'tx/s', 'opsPerSec'),
    row('latency p50', 'ms', 'p50'),
    row('latency p99', 'ms', 'p99'),
  ];
}

/**
 * 9. The coordinator on the local Redis Cluster against the same coordinator on one
 * Redis, in the same run: scenario 1's load (16 clients on orders of their own) and
 * scenario 2's (32 clients on one order, a fresh order per repetition). Both sides run
 * the same lock, transitions and PostgreSQL; only the lock's Redis differs. Runs when
 * the bench is given `--redis-cluster` (or REDIS_CLUSTER_NODES).
 */
export const onCluster: Scenario = {
  id: 'cluster',
  run: async (env: BenchEnv) => {
    const { ctx, world } = env;
    const cluster = env.cluster;
    if (cluster === undefined) {
      throw new TypeError(
        'the cluster scenario needs --redis-cluster host:port,... (or REDIS_CLUSTER_NODES)',
      );
    }
    const single = lockManager(await ctx.redis('bench-cluster-single'), ctx.logger).locks;
    const onNodes = lockManager(await ctx.redis('bench-cluster', cluster.config), ctx.logger).locks;
    const via = (locks: typeof single): Transition =>
      viaCoordinator(coordinatorDeps(ctx.db, locks, ctx.config, ctx.logger), world.merchant);
    const onCluster = via(onNodes);
    const onOne = via(single);

    const own = await world.orders(UNCONTENDED_CLIENTS * ORDERS_PER_CLIENT);
    const uncontendedSide = (name: string, tx: Transition): Side<RunSummary> => ({
      name,
      describe: (r) => describeRun(r),
      run: async (limits: RunLimits) => {
        const op = (client: number, n: number) =>
          tx(own[client * ORDERS_PER_CLIENT + (n % ORDERS_PER_CLIENT)] ?? '', totalFor(n >> 2));
        const [run] = await runGroups([{ name, clients: UNCONTENDED_CLIENTS, op }], limits);
        return summary(run);
      },
    });
    const hotSide = (name: string, tx: Transition): Side<RunSummary> => ({
      name,
      describe: (r) => describeRun(r),
      run: async (limits: RunLimits) => {
        const [order] = await world.orders(1);
        const op = (_client: number, n: number) => tx(order ?? '', totalFor(n));
        const [run] = await runGroups([{ name, clients: HOT_CLIENTS, op }], limits);
        return summary(run);
      },
    });
    try {
      const u = await compare(
        env,
        'cluster uncontended',
        uncontendedSide('Redis Cluster', onCluster),
        uncontendedSide('one Redis', onOne),
      );
      const h = await compare(
        env,
        'cluster hot order',
        hotSide('Redis Cluster', onCluster),
        hotSide('one Redis', onOne),
      );
      return {
        id: 'cluster',
        title: `9. Redis Cluster: uncontended (${UNCONTENDED_CLIENTS} clients) and one hot order (${HOT_CLIENTS} clients)`,
        candidate: 'coordinator, lock on the local Redis Cluster (3 primaries, 3 replicas)',
        baseline: 'coordinator, lock on one Redis',
        figures: [...figuresOf('uncontended', u), ...figuresOf('hot order', h)],
        reps: {
          'uncontended, Redis Cluster': u.candidate,
          'uncontended, one Redis': u.baseline,
          'hot order, Redis Cluster': h.candidate,
          'hot order, one Redis': h.baseline,
        },
        notes: [
          `cluster seeds: ${cluster.seeds}; every node of the local cluster runs on this machine, so the figures show the client's cost of a cluster (slot routing, sharded pub/sub), not the gain of spreading keys over machines`,
        ],
      };
    } finally {
      await Promise.all([single.close(), onNodes.close()]);
    }
  },
};
