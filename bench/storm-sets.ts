import { randomBytes, randomUUID } from 'node:crypto';
import { createDb, type Db } from '../src/db/knex';
import { signToken } from '../src/http/auth';
import { createScratchDatabase } from '../support/database';
import { benchConfig } from './context';
import { instanceEnv, startInstances, stopInstances, type Instance } from './instances';
import { FLUSH_MS, XactCounter } from './pg-xacts';
import { compare, type BenchEnv, type Side } from './scenario';
import type { StormRep, StormShape } from './scenarios/storm-figures';
import { idleRate, net, storm, Windows, type StormSite, type StormTarget } from './storm-run';

/**
 * Idle window for the instances' background transactions (the gates' reconciler). Not in
 * quick mode: its short settling lets late reports of the last storm fall into the window.
 */
const IDLE_MS = 10_000;

/** A storm scenario: what it contests and how big. */
export interface StormScenario<R extends StormRep> {
  /** Scenario id, also the progress lines' tag. */
  id: string;
  /** Names the buyers. */
  label: string;
  shape: StormShape;
  target: StormTarget<R>;
  describe: (rep: R) => string;
}

/** Every repetition of both sides, and each set's idle PostgreSQL transactions per second. */
export interface StormRuns<R> {
  gate: R[];
  plain: R[];
  idle: [gate: number, plain: number];
}

/** One side: its instances and a connection pool to its database. */
interface StormSet {
  instances: Instance[];
  db: Db;
}

/** Both sides, started once per run and instance count, shared by the storm scenarios. */
interface StormSets {
  secret: string;
  gate: StormSet;
  plain: StormSet;
  close: () => Promise<void>;
}

/**
 * Two sets of `count` API instances started side by side, one with the Redis gates (the
 * default), one with `STOCK_GATE=false` (every order and claim goes to PostgreSQL), each
 * on a database of its own (created and migrated here, dropped at the run's end, so that
 * neither set nor other users of the server blur its transaction counts), both on the
 * bench's Redis. The first storm scenario starts them; the next ones of the run reuse them.
 */
async function stormSets(env: BenchEnv, count: number): Promise<StormSets> {
  const name = `storm-sets:${count}`;
  const known = env.shared.get(name);
  if (known) return known as StormSets;
  const secret = randomBytes(32).toString('hex');
  const scratch = await Promise.all(
    ['gate', 'pg'].map((side) => createScratchDatabase(env.databaseUrl, `bench_storm_${side}`)),
  );
  const dbs = scratch.map((d) => createDb(benchConfig(d.url, env.redisUrl), 'order-bench-storm'));
  // Each set's relay publishes to a stream of its own (never the dev one), polling the
  // feed once a second: the relay is not what a storm measures, and at its default 50 ms
  // it would add 20 PostgreSQL transactions a second to the set's count.
  const streams = scratch.map(() => `events:{bench-storm-${randomUUID()}}`);
  env.progress(`starting ${count} instances with the gates and ${count} without`);
  // Rate limits stay on (their defaults), as a new user runs it: each buyer sends one
  // request per storm, far below its burst; a 429 would show in the answers' codes.
  const started = await Promise.allSettled(
    (['true', 'false'] as const).map((gate, i) =>
      startInstances(
        count,
        instanceEnv(env, secret, {
          DATABASE_URL: scratch[i]?.url ?? '',
          STOCK_GATE: gate,
          EVENTS_STREAM: streams[i] ?? '',
          EVENTS_RELAY_POLL_MS: '1000',
        }),
      ),
    ),
  );
  const running = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const close = async () => {
    await Promise.all(running.map(stopInstances));
    await (await env.ctx.redis('bench-storm-streams')).del(...streams);
    await Promise.all(dbs.map((db) => db.destroy()));
    await Promise.all(scratch.map((d) => d.drop()));
  };
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await close();
    throw failed.reason;
  }
  const [gated, plain] = running as [Instance[], Instance[]];
  const [gateDb, plainDb] = dbs as [Db, Db];
  const sets = {
    secret,
    gate: { instances: gated, db: gateDb },
    plain: { instances: plain, db: plainDb },
    close,
  };
  env.shared.set(name, sets);
  return sets;
}

/**
 * Runs a storm scenario on the run's two instance sets (`stormSets`): the same buyers (a
 * token each) storm a fresh thing on one set per repetition, alternating sides
 * (`compare`); then each set's idle transaction rate is measured and taken out.
 */
export async function runStorms<R extends StormRep>(
  env: BenchEnv,
  s: StormScenario<R>,
): Promise<StormRuns<R>> {
  const { quick } = env.settings;
  const { shape } = s;
  const sets = await stormSets(env, shape.instances);
  const tokens = await Promise.all(
    Array.from({ length: shape.buyers }, (_, i) =>
      signToken(sets.secret, { role: 'buyer', sub: `${s.label}-${i}-${randomUUID()}` }, 3600),
    ),
  );
  const ids: string[] = [];
  const sites: StormSite[] = [];
  const side = (name: string, set: StormSet): Side<R> => {
    let runs = 0;
    // Quick: counts may miss the few backends that report 10 s late (see FLUSH_MS), and
    // take two readings at most.
    const counter = quick
      ? new XactCounter(set.db, FLUSH_MS.min, 2)
      : new XactCounter(set.db, FLUSH_MS.idle);
    const site: StormSite = {
      db: set.db,
      windows: new Windows(counter),
      merchantId: env.world.merchant.id,
    };
    sites.push(site);
    return {
      name,
      // compare() runs each side once to warm up (JIT, pools, caches), then the reps.
      run: async () => {
        const size = runs++ === 0 ? warm(shape) : shape;
        const rep = await storm(site, set.instances, tokens, size, s.target);
        ids.push(rep.id);
        return rep;
      },
      describe: s.describe,
    };
  };
  try {
    const r = await compare(env, s.id, side('gate', sets.gate), side('PostgreSQL', sets.plain));
    const [idle = 0, idlePlain = 0] = quick
      ? []
      : await Promise.all(sites.map((site) => idleRate(site.windows, IDLE_MS)));
    env.progress(
      `[${s.id}] idle PostgreSQL transactions/s: ${idle.toFixed(2)} with the gates, ` +
        `${idlePlain.toFixed(2)} without`,
    );
    for (const rep of r.candidate) net(rep, idle);
    for (const rep of r.baseline) net(rep, idlePlain);
    return { gate: r.candidate, plain: r.baseline, idle: [idle, idlePlain] };
  } finally {
    await forget(env, s.target, ids);
  }
}

/** A smaller storm for the warm-up: an eighth of the buyers and supply, same concurrency. */
const warm = (s: StormShape): StormShape => ({
  ...s,
  buyers: Math.max(s.inFlight, Math.round(s.buyers / 8)),
  supply: Math.max(1, Math.round(s.supply / 8)),
});

/** The things' gate state goes with their database: no reconciler looks for them again. */
async function forget<R extends StormRep>(env: BenchEnv, target: StormTarget<R>, ids: string[]) {
  if (ids.length === 0) return;
  const redis = await env.ctx.redis(`bench-storm-cleanup`);
  const merchant = env.world.merchant.id;
  await redis.srem(target.gated.set, ...ids.map((id) => `${merchant}/${id}`));
  await redis.del(...ids.flatMap((id) => target.gated.keys(merchant, id)));
}
