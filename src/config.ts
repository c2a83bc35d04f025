import { z } from 'zod';

/** The project's local servers, as scripts/services.sh starts them. */
export const DEFAULT_DATABASE_URL = 'postgres://orders:orders@127.0.0.1:5439/orders_dev';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6391/0';
/** Only for local use: refused when NODE_ENV=production. */
export const DEV_JWT_SECRET = 'dev-only-secret-change-me-0123456789abcdef';

const int = (min: number, max: number) =>
  z.coerce
    .number({ invalid_type_error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

const url = (protocols: string[]) =>
  z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.join(' or ')}//`,
  );

/** `host:port` seeds of a Redis Cluster, comma-separated; parsed to `{ host, port }` pairs. */
const clusterNodes = z
  .string()
  .regex(
    /^[A-Za-z0-9.:[\]-]+:\d{1,5}(,[A-Za-z0-9.:[\]-]+:\d{1,5})*$/,
    'must be comma-separated host:port seeds',
  )
  .transform((value) =>
    value.split(',').map((seed) => {
      const colon = seed.lastIndexOf(':');
      return { host: seed.slice(0, colon), port: Number(seed.slice(colon + 1)) };
    }),
  );

const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: int(0, 65535).default(3000),
    DATABASE_URL: url(['postgres:', 'postgresql:']).default(DEFAULT_DATABASE_URL),
    DB_POOL_MAX: int(1, 200).default(10),
    REDIS_URL: url(['redis:', 'rediss:']).default(DEFAULT_REDIS_URL),
    /**
     * Seeds of a Redis Cluster (`host:port,host:port`); when set, the service runs on that
     * cluster and REDIS_URL is not used. Unset: one Redis server at REDIS_URL.
     */
    REDIS_CLUSTER_NODES: clusterNodes.optional(),
    /** Deadline of one Redis round trip: a stalled Redis costs a request at most about this. */
    REDIS_COMMAND_TIMEOUT_MS: int(10, 60_000).default(1000),
    AUTH_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').default(DEV_JWT_SECRET),
    PAYMENT_TTL_SECONDS: int(1, 30 * 24 * 3600).default(900),
    LOCK_TTL_MS: int(100, 600_000).default(10_000),
    LOCK_WAIT_MS: int(0, 600_000).default(5000),
    SWEEP_INTERVAL_MS: int(100, 3_600_000).default(1000),
    /** Period of the stock gate's reconciler: gate drift lasts at most about this. */
    GATE_RECONCILE_INTERVAL_MS: int(100, 3_600_000).default(2000),
    /**
     * The Redis stock gate in front of PostgreSQL's reservation. Off, every order opens a
     * PostgreSQL transaction (the bench's baseline; a way out if the gate misbehaves).
     */
    STOCK_GATE: flag.default('true'),
    SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(10_000),
    /** The Redis stream the relay publishes every event to (one hash tag: one slot). */
    EVENTS_STREAM: z
      .string()
      .regex(/^[A-Za-z0-9:{}_.-]{1,200}$/, 'must be 1-200 of A-Za-z0-9:{}_.-')
      .default('events:{orders}'),
    /** How often an idle relay looks for new events: the floor of the relay's lag. */
    EVENTS_RELAY_POLL_MS: int(5, 60_000).default(50),
    /** Lease of the relay's job lock: a dead relay's successor starts within about this. */
    EVENTS_RELAY_LOCK_TTL_MS: int(500, 600_000).default(3000),
    /** A consumer's pending entry idle this long is claimed by another consumer of its group. */
    CONSUMER_CLAIM_IDLE_MS: int(100, 3_600_000).default(5000),
    /** A webhook endpoint that has not answered within this is retried later. */
    WEBHOOK_TIMEOUT_MS: int(100, 60_000).default(10_000),
    /** First retry delay of a webhook delivery; each next one doubles, up to the max. */
    WEBHOOK_RETRY_BASE_MS: int(10, 3_600_000).default(5000),
    WEBHOOK_RETRY_MAX_MS: int(10, 24 * 3_600_000).default(3_600_000),
    /** A delivery is retried at least this long after its first attempt, then given up. */
    WEBHOOK_GIVE_UP_HOURS: int(24, 24 * 365).default(72),
    /** Allow webhook URLs on loopback, private or link-local addresses in production. */
    WEBHOOK_ALLOW_PRIVATE: flag.default('false'),
    /** Sustained requests per second per principal; 0 turns rate limiting off. */
    RATE_LIMIT_PER_SECOND: int(0, 1_000_000).default(200),
    /** Requests a principal may send at once after being idle (the bucket's size). */
    RATE_LIMIT_BURST: int(0, 10_000_000).default(400),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    /**
     * Test-only faults: honours the `X-Test-Lock-Pause-Ms` request header, which makes a
     * transition block its process that long inside the critical section (harness `pause`).
     */
    TEST_FAULTS: flag.default('false'),
    /** Test-only fault: skip the version check, so the harness can prove it sees lost updates. */
    TEST_DISABLE_VERSION_CHECK: flag.default('false'),
  })
  .superRefine((c, ctx) => {
    if (c.RATE_LIMIT_PER_SECOND > 0 && c.RATE_LIMIT_BURST < 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['RATE_LIMIT_BURST'],
        message: 'must be at least 1 while RATE_LIMIT_PER_SECOND is above 0',
      });
    }
    if (c.NODE_ENV !== 'production') return;
    if (c.AUTH_JWT_SECRET === DEV_JWT_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_JWT_SECRET'],
        message: 'must be set to a secret of your own when NODE_ENV=production',
      });
    }
    for (const name of ['TEST_FAULTS', 'TEST_DISABLE_VERSION_CHECK'] as const) {
      if (c[name]) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'is test-only: refused when NODE_ENV=production',
        });
      }
    }
  });

export type Config = z.infer<typeof schema>;

/** A setting that is missing its form; the message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads every setting from the environment. An empty variable counts as unset.
 * @throws ConfigError naming each variable whose value is not valid.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(
    Object.keys(schema.innerType().shape).flatMap((key) => {
      const value = env[key];
      return value === undefined || value === '' ? [] : [[key, value]];
    }),
  );
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'config');
      const got = name in input ? ` (got ${JSON.stringify(input[name])})` : '';
      return `${name} ${issue.message}${got}`;
    }),
  );
}
