import { randomBytes, randomUUID } from 'node:crypto';
import { createDb } from '../../src/db/knex';
import { signToken } from '../../src/http/auth';
import { createScratchDatabase } from '../../support/database';
import { pollUntil } from '../../support/time';
import { benchConfig } from '../context';
import { coordinatorDeps, lockManager } from '../coordinator';
import { runGroups } from '../driver';
import { StreamProbe, WebhookReceiver, type Arrival } from '../events-probe';
import { makeWorld } from '../fixtures';
import { instanceEnv, startInstances, stopInstances } from '../instances';
import type { BenchEnv, Scenario } from '../scenario';
import { viaCoordinator } from '../transitions';
import { describeEventsRep, eventsFigures, eventsRep, type EventsRep } from './events-figures';
import { totalFor } from './common';

const CLIENTS = 16;
const ORDERS_PER_CLIENT = 4;
const INSTANCES = 2;

/**
 * 8. Events out (issue 10): the uncontended load (16 clients, REPRICEs of their own
 * orders through the coordinator in the bench process) on a database of its own, with
 * API instances running the relay (to a stream of the scenario's own) and the webhooks
 * consumer and sender, which deliver to a receiver in the bench process. Measured: relay
 * lag (an event's `at` to its entry read from the stream with XREAD), its growth over the
 * run, and webhook deliveries per second and their lag.
 */
export const events: Scenario = {
  id: 'events',
  run: async (env: BenchEnv) => {
    const { quick } = env.settings;
    const scratch = await createScratchDatabase(env.databaseUrl, 'bench_events');
    const config = benchConfig(scratch.url, env.redisUrl);
    const db = createDb(config, 'order-bench-events');
    const stream = `events:{bench-${randomUUID()}}`;
    const secret = randomBytes(32).toString('hex');
    const receiver = await WebhookReceiver.start();
    const probeRedis = await env.ctx.redis('bench-events-probe');
    const probe = new StreamProbe(probeRedis, stream);
    const { locks } = lockManager(await env.ctx.redis('bench-events'), env.ctx.logger);
    env.progress(`[events] starting ${INSTANCES} instances (relay, webhooks)`);
    const instances = await startInstances(
      INSTANCES,
      instanceEnv(env, secret, { DATABASE_URL: scratch.url, EVENTS_STREAM: stream }),
    ).catch(async (error: unknown) => {
      await cleanUp();
      throw error;
    });
    async function cleanUp() {
      await probe.stop();
      await receiver.stop();
      await locks.close();
      await probeRedis.del(stream);
      await db.destroy();
      await scratch.drop();
    }
    try {
      const world = await makeWorld(db, env.ctx.config);
      const orders = await world.orders(CLIENTS * ORDERS_PER_CLIENT);
      const token = await signToken(secret, { role: 'merchant', sub: world.merchant.id }, 3600);
      await registerWebhook(instances[0]?.url ?? '', token, receiver.url);
      const tx = viaCoordinator(coordinatorDeps(db, locks, config, env.ctx.logger), world.merchant);
      const op = (client: number, n: number) =>
        tx(orders[client * ORDERS_PER_CLIENT + (n % ORDERS_PER_CLIENT)] ?? '', totalFor(n >> 2));
      const drainMs = quick ? 15_000 : 60_000;
      const reps: EventsRep[] = [];
      for (let rep = 0; rep <= env.settings.reps; rep++) {
        const warm = rep === 0;
        const durationMs = warm ? env.settings.warmupMs : env.settings.durationMs;
        const startedMs = Date.now();
        const [run] = await runGroups([{ name: 'events', clients: CLIENTS, op }], {
          durationMs,
          maxOps: env.settings.maxOps,
        });
        const endedMs = Date.now();
        const ok = run?.ok ?? 0;
        const mine = (list: Arrival[]) =>
          unique(list.filter((a) => a.atMs >= startedMs && a.type === 'REPRICE'));
        await pollUntil(() => mine(probe.seen).length >= ok, 30_000);
        await pollUntil(() => mine(receiver.deliveries).length >= ok, drainMs);
        if (warm) continue;
        const r = summarise(ok, startedMs, endedMs, mine(probe.seen), mine(receiver.deliveries));
        reps.push(r);
        env.progress(`[events] rep ${rep}/${env.settings.reps}: ${describeEventsRep(r)}`);
      }
      return {
        id: 'events',
        title: `8. Events out: ${CLIENTS} clients' uncontended REPRICEs, relay and webhooks on ${INSTANCES} instances`,
        candidate: 'relay to a Redis stream, webhooks to a receiver in the bench process',
        baseline: 'the first third of the same run (lag growth rows only)',
        figures: eventsFigures(reps),
        reps: { events: reps },
        notes: [
          "Relay lag: from the event's `at` (its transition's decision, a few ms before the commit) " +
            'to its entry read from the stream by the bench (XREAD BLOCK); the relay polls the feed every 50 ms, ' +
            'and the feed waits for the oldest transaction open anywhere on the PostgreSQL server (shared here).',
          "Webhooks: deliveries of the run's events to a local HTTP receiver (204), per second from " +
            "the run's start to the last delivery; lag from the event's `at` to its arrival.",
        ],
      };
    } finally {
      await stopInstances(instances);
      await cleanUp();
    }
  },
};

const unique = (list: Arrival[]): Arrival[] => [...new Map(list.map((a) => [a.id, a])).values()];

async function registerWebhook(base: string, token: string, url: string): Promise<void> {
  const res = await fetch(`${base}/v1/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 201)
    throw new Error(`webhook registration: ${res.status} ${await res.text()}`);
}

function summarise(
  transitions: number,
  startedMs: number,
  endedMs: number,
  relayed: Arrival[],
  delivered: Arrival[],
): EventsRep {
  const lag = (list: Arrival[]) => list.map((a) => a.arrivedMs - a.atMs);
  const third = (endedMs - startedMs) / 3;
  const lastDelivery = Math.max(startedMs + 1, ...delivered.map((a) => a.arrivedMs));
  const lags = {
    relay: lag(relayed),
    first: lag(relayed.filter((a) => a.atMs < startedMs + third)),
    last: lag(relayed.filter((a) => a.atMs >= endedMs - third)),
    delivery: lag(delivered),
  };
  return eventsRep(transitions, endedMs - startedMs, lags, lastDelivery - startedMs);
}
