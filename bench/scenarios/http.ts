import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { signToken } from '../../src/http/auth';
import { coordinatorDeps, lockManager } from '../coordinator';
import { runGroups } from '../driver';
import { instanceEnv, startInstances, stopInstances, type Instance } from '../instances';
import { viaCoordinator } from '../transitions';
import { summary, totalFor } from './common';
import {
  compare,
  field,
  figure,
  fmt,
  type BenchEnv,
  type Figure,
  type Scenario,
} from '../scenario';

const CONNECTIONS = 24;
const ORDERS = 96;
const INSTANCES = 3;

export interface HttpRep {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  statusCodes: Record<string, number>;
}

type Endpoint = 'get' | 'reprice';

/**
 * 5. End to end over HTTP with autocannon: `GET /v1/orders/:id` and `POST .../reprice`
 * against one instance and against three (connections spread evenly over them), all on
 * the same PostgreSQL and Redis. Requests cycle through 96 orders of the bench merchant.
 */
export const http: Scenario = {
  id: 'http',
  run: async (env: BenchEnv) => {
    const { world } = env;
    const secret = randomBytes(32).toString('hex');
    const token = await signToken(secret, { role: 'merchant', sub: world.merchant.id }, 3600);
    const orders = await world.orders(ORDERS);
    // Rate limiting off: one merchant token drives every request; figures stay comparable
    // with older runs.
    env.progress(`[http] starting ${INSTANCES} API instances`);
    const instances = await startInstances(
      INSTANCES,
      instanceEnv(env, secret, { RATE_LIMIT_PER_SECOND: '0' }),
    );
    try {
      const figures: Figure[] = [];
      const reps: Record<string, unknown[]> = {};
      const side = (endpoint: Endpoint, count: number) => ({
        name: `${count} instance${count > 1 ? 's' : ''}`,
        describe: describeRep,
        run: (limits: { durationMs: number }) =>
          load(instances.slice(0, count), endpoint, orders, token, limits.durationMs),
      });
      for (const endpoint of ['get', 'reprice'] as const) {
        const r = await compare(
          env,
          `http ${endpoint}`,
          side(endpoint, INSTANCES),
          side(endpoint, 1),
        );
        reps[`${endpoint}:${INSTANCES}`] = r.candidate;
        reps[`${endpoint}:1`] = r.baseline;
        const label = endpoint === 'get' ? 'GET /v1/orders/:id' : 'POST /v1/orders/:id/reprice';
        figures.push(
          figure(
            `${label} throughput`,
            'req/s',
            field(r.candidate, 'rps'),
            field(r.baseline, 'rps'),
          ),
          figure(`${label} latency p99`, 'ms', field(r.candidate, 'p99'), field(r.baseline, 'p99')),
        );
      }
      // The HTTP path's own cost: the same reprices at the same concurrency, sent over
      // HTTP to one instance, against the coordinator called in this process.
      const { locks } = lockManager(await env.ctx.redis('bench-http-in-process'), env.ctx.logger);
      try {
        const tx = viaCoordinator(
          coordinatorDeps(env.ctx.db, locks, env.ctx.config, env.ctx.logger),
          world.merchant,
        );
        const inProcess = {
          name: 'in-process coordinator',
          describe: describeRep,
          run: async (limits: { durationMs: number; maxOps: number }): Promise<HttpRep> => {
            const op = (client: number, n: number) =>
              tx(orders[(client + n * CONNECTIONS) % orders.length] ?? '', totalFor(n));
            const run = summary(
              (await runGroups([{ name: 'in-process', clients: CONNECTIONS, op }], limits))[0],
            );
            return {
              rps: run.opsPerSec,
              p50: run.p50,
              p99: run.p99,
              ok: run.ok,
              non2xx: 0,
              errors: run.failed,
              statusCodes: run.errors,
            };
          },
        };
        const viaHttp = { ...side('reprice', 1), name: '1 instance over HTTP' };
        const r = await compare(env, 'http vs in-process', viaHttp, inProcess);
        reps['reprice:in-process'] = r.baseline;
        reps['reprice:1 (vs in-process)'] = r.candidate;
        figures.push(
          figure(
            'POST reprice, 1 instance over HTTP vs in-process coordinator (same concurrency)',
            'tx/s',
            field(r.candidate, 'rps'),
            field(r.baseline, 'rps'),
            { text: 'ratio >= 0.8', met: (ratio) => ratio >= 0.8 },
          ),
          figure(
            'reprice latency p99, HTTP vs in-process',
            'ms',
            field(r.candidate, 'p99'),
            field(r.baseline, 'p99'),
          ),
        );
      } finally {
        await locks.close();
      }
      return {
        id: 'http',
        title: `5. End to end over HTTP: autocannon, ${CONNECTIONS} connections`,
        candidate: `${INSTANCES} instances (connections spread over them)`,
        baseline: '1 instance',
        figures,
        reps,
        notes: [
          `The load generator runs in the bench process on the same ${'2-core'} machine as the instances.`,
          `"in-process coordinator": ${CONNECTIONS} closed-loop clients call runTransition in the bench process on the same orders, with its own pool of DB_POOL_MAX connections: what one instance would do without HTTP.`,
        ],
      };
    } finally {
      await stopInstances(instances);
    }
  },
};

function describeRep(r: HttpRep): string {
  return (
    `${r.rps.toFixed(0)} req/s, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms` +
    (r.non2xx + r.errors > 0
      ? `, ${r.non2xx} non-2xx ${JSON.stringify(r.statusCodes)}, ${r.errors} errors`
      : '')
  );
}

async function load(
  instances: Instance[],
  endpoint: Endpoint,
  orders: string[],
  token: string,
  durationMs: number,
): Promise<HttpRep> {
  let n = 0;
  const result = await autocannon({
    url: instances.map((i) => i.url),
    connections: CONNECTIONS,
    duration: durationMs / 1000,
    timeout: 10,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const i = n++;
          const id = orders[i % orders.length] ?? '';
          return endpoint === 'get'
            ? { ...request, method: 'GET', path: `/v1/orders/${id}` }
            : {
                ...request,
                method: 'POST',
                path: `/v1/orders/${id}/reprice`,
                body: JSON.stringify({ totalCents: 1000 + (i % 2) * 100 }),
              };
        },
      },
    ],
  });
  return {
    rps: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([code, s]) => [code, Number(s.count)]),
    ),
  };
}
