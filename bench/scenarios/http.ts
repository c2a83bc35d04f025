import { randomBytes } from 'node:crypto';
import path from 'node:path';
import autocannon from 'autocannon';
import { signToken } from '../../src/http/auth';
import { startInstance, type Instance } from '../instances';
import { compare, field, figure, type BenchEnv, type Figure, type Scenario } from '../scenario';

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
    const { ctx, world } = env;
    const secret = randomBytes(32).toString('hex');
    const token = await signToken(secret, { role: 'merchant', sub: world.merchant.id }, 3600);
    const orders = await world.orders(ORDERS);
    const root = path.resolve(__dirname, '../..');
    const instanceEnv = {
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      AUTH_JWT_SECRET: secret,
      LOG_LEVEL: 'warn',
      // No payment-expiry passes: they would load the measurement and, on a shared
      // database (the tests'), expire other users' overdue orders.
      SWEEP_INTERVAL_MS: '3600000',
      NODE_ENV: 'development',
      DB_POOL_MAX: String(ctx.config.DB_POOL_MAX),
      // Off: one merchant token drives every request; figures stay comparable with older runs.
      RATE_LIMIT_PER_SECOND: '0',
    };
    env.progress(`[http] starting ${INSTANCES} API instances`);
    const started = await Promise.allSettled(
      Array.from({ length: INSTANCES }, () => startInstance(root, instanceEnv)),
    );
    const instances = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    try {
      const failed = started.find((s) => s.status === 'rejected');
      if (failed) throw failed.reason;
      const figures: Figure[] = [];
      const reps: Record<string, unknown[]> = {};
      for (const endpoint of ['get', 'reprice'] as const) {
        const side = (count: number) => ({
          name: `${count} instance${count > 1 ? 's' : ''}`,
          describe: (r: HttpRep) =>
            `${r.rps.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms` +
            (r.non2xx + r.errors > 0
              ? `, ${r.non2xx} non-2xx ${JSON.stringify(r.statusCodes)}, ${r.errors} errors`
              : ''),
          run: (limits: { durationMs: number }) =>
            load(instances.slice(0, count), endpoint, orders, token, limits.durationMs),
        });
        const r = await compare(env, `http ${endpoint}`, side(INSTANCES), side(1));
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
      return {
        id: 'http',
        title: `5. End to end over HTTP: autocannon, ${CONNECTIONS} connections`,
        candidate: `${INSTANCES} instances (connections spread over them)`,
        baseline: '1 instance',
        figures,
        reps,
        notes: [
          `The load generator runs in the bench process on the same ${'2-core'} machine as the instances.`,
        ],
      };
    } finally {
      await Promise.all(instances.map((i: Instance) => i.stop()));
    }
  },
};

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
