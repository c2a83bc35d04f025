import path from 'node:path';
import { parseArgs } from 'node:util';
import { databaseUrlFrom, redisUrlFrom } from '../support/urls';
import {
  allFaults,
  CLUSTER_FAULTS,
  FAULT_ALIASES,
  FAULTS,
  REDIS_FAULTS,
  type FaultName,
} from './faults/types';

export interface HarnessOptions {
  /** API instances to start. */
  instances: number;
  /** The run ends after this many seconds of workload ... */
  seconds: number;
  /** ... or this many recorded requests, whichever comes first. */
  ops: number;
  /** Virtual clients running at once. */
  concurrency: number;
  buyers: number;
  merchants: number;
  productsPerMerchant: number;
  faults: FaultName[];
  /** Start the instances with TEST_DISABLE_VERSION_CHECK=true (they must then be caught). */
  disableVersionCheck: boolean;
  /** --database-url, else DATABASE_URL, else the dev database. */
  databaseUrl: string;
  /** Run in a new database created (and dropped) next to `databaseUrl`. */
  ownDatabase: boolean;
  /** --redis-url, else REDIS_URL, else the dev Redis; unused when a private one runs. */
  redisUrl: string;
  /** Start a private redis-server even when no Redis fault needs one. */
  privateRedis: boolean;
  /**
   * Run the instances on a private Redis Cluster of the harness's own (3 primaries, 3
   * replicas, free ports, a temporary directory) instead of one Redis.
   */
  redisCluster: boolean;
  /** Let the Redis faults act on `redisUrl` (a restart flushes that database). */
  allowRestartShared: boolean;
  lockTtlMs: number;
  lockWaitMs: number;
  paymentTtlSeconds: number;
  sweepIntervalMs: number;
  /** How long a paused instance blocks (must exceed lockTtlMs). */
  pauseMs: number;
  /** Mean ms between two injections of each fault. */
  periods: Record<FaultName, number>;
  flashStock: number;
  flashBuyers: number;
  /** A flash sale at the start and then every this many seconds (0: only the first). */
  flashEverySeconds: number;
  /** A coupon storm every this many seconds (0: none), by this many buyers of their own. */
  couponEverySeconds: number;
  claimers: number;
  requestTimeoutMs: number;
  /** A request may take lockWaitMs (+ its pause) + this many ms before it is a violation. */
  latencyMarginMs: number;
  /** Where the JSON report goes (default harness/reports/<timestamp>.json). */
  report: string | undefined;
  seed: number;
  /** No progress line. */
  quiet: boolean;
  /** The project root (where src/server.ts and the migrations are). */
  root: string;
}

/** The defaults; the database and Redis come from `env` (DATABASE_URL, REDIS_URL). */
export function defaultOptions(env: NodeJS.ProcessEnv = process.env): HarnessOptions {
  return {
    instances: 3,
    seconds: 30,
    ops: 1_000_000,
    concurrency: 12,
    buyers: 12,
    merchants: 3,
    productsPerMerchant: 4,
    faults: [],
    disableVersionCheck: false,
    databaseUrl: databaseUrlFrom(env),
    ownDatabase: false,
    redisUrl: redisUrlFrom(env),
    privateRedis: false,
    redisCluster: false,
    allowRestartShared: false,
    lockTtlMs: 1000,
    lockWaitMs: 2000,
    paymentTtlSeconds: 4,
    sweepIntervalMs: 400,
    pauseMs: 2500,
    periods: {
      pause: 3000,
      'redis-restart': 9000,
      kill: 11_000,
      'pg-drop': 5000,
      'redis-stall': 10_000,
      'subscriber-cut': 4000,
      flushall: 12_000,
      'relay-kill': 20_000,
      'consumer-kill': 20_000,
      'webhook-fail': 8000,
      failover: 12_000,
      reshard: 8000,
    },
    flashStock: 10,
    flashBuyers: 30,
    flashEverySeconds: 20,
    couponEverySeconds: 5,
    claimers: 40,
    requestTimeoutMs: 15_000,
    latencyMarginMs: 1500,
    report: undefined,
    seed: Math.floor(Math.random() * 2 ** 31),
    quiet: false,
    root: path.resolve(__dirname, '..'),
  };
}

export const USAGE = `usage: npm run harness -- [options]

  --instances N            API instances to start (3)
  --seconds S              workload duration in seconds (30)
  --ops N                  stop after N recorded requests (1000000)
  --concurrency N          virtual clients at once (12)
  --buyers N --merchants N --products-per-merchant N   (12, 3, 4)
  --faults LIST            ${FAULTS.join(',')}
                           | all | none (none); redis-flush is flushall; ${CLUSTER_FAULTS.join(' and ')}
                           only with --redis-cluster, which refuses ${REDIS_FAULTS.join(', ')}
                           (all: every fault the chosen Redis allows)
  --fault-period NAME=MS   mean time between injections, repeatable (pause=3000
                           redis-restart=9000 kill=11000 pg-drop=5000 redis-stall=10000
                           subscriber-cut=4000 flushall=12000 relay-kill=20000
                           consumer-kill=20000 webhook-fail=8000 failover=12000
                           reshard=8000; a FLUSHALL, and every
                           other restart, waits for the next flash sale's start)
  --disable-version-check  instances skip the version check: the run must report violations
  --database-url URL       (DATABASE_URL, else the dev database)
  --own-database           run in a new database next to it, dropped at the end
  --redis-url URL          (REDIS_URL, else the dev Redis)
  --private-redis          a redis-server of the harness's own (always with
                           ${REDIS_FAULTS.join(', ')})
  --redis-cluster          a Redis Cluster of the harness's own (3 primaries, 3 replicas,
                           free ports, a temporary directory, removed at the end)
  --allow-restart-shared   let the Redis faults act on --redis-url (flushes that database)
  --lock-ttl-ms N --lock-wait-ms N --payment-ttl-seconds N --sweep-interval-ms N
                           instance settings (1000, 2000, 4, 400)
  --pause-ms N             how long a paused instance blocks (2500; > lock TTL)
  --flash-stock N --flash-buyers N --flash-every S   flash sales (10, 30, 20)
  --coupon-every S --claimers N   a coupon storm every S seconds (0: none) by up
                           to N buyers (5, 40)
  --request-timeout-ms N   client time-out per request (15000)
  --latency-margin-ms N    a request slower than lock wait (+ its pause) + N ms is a
                           violation (1500)
  --report PATH            JSON report (harness/reports/<timestamp>.json)
  --seed N                 seed of the workload's random choices
  --quiet                  no progress line
  --help`;

/** Parses the CLI's arguments over the defaults. @throws Error with a message for the user. */
export function parseOptions(argv: string[]): HarnessOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      instances: { type: 'string' },
      seconds: { type: 'string' },
      ops: { type: 'string' },
      concurrency: { type: 'string' },
      buyers: { type: 'string' },
      merchants: { type: 'string' },
      'products-per-merchant': { type: 'string' },
      faults: { type: 'string' },
      'fault-period': { type: 'string', multiple: true },
      'disable-version-check': { type: 'boolean' },
      'database-url': { type: 'string' },
      'own-database': { type: 'boolean' },
      'redis-url': { type: 'string' },
      'private-redis': { type: 'boolean' },
      'redis-cluster': { type: 'boolean' },
      'allow-restart-shared': { type: 'boolean' },
      'lock-ttl-ms': { type: 'string' },
      'lock-wait-ms': { type: 'string' },
      'payment-ttl-seconds': { type: 'string' },
      'sweep-interval-ms': { type: 'string' },
      'pause-ms': { type: 'string' },
      'flash-stock': { type: 'string' },
      'flash-buyers': { type: 'string' },
      'flash-every': { type: 'string' },
      'coupon-every': { type: 'string' },
      claimers: { type: 'string' },
      'request-timeout-ms': { type: 'string' },
      'latency-margin-ms': { type: 'string' },
      report: { type: 'string' },
      seed: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const o = defaultOptions();
  const int = (
    name: string,
    value: string | undefined,
    fallback: number,
    min: number,
    max: number,
  ): number => {
    if (value === undefined) return fallback;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`--${name} must be a whole number from ${min} to ${max} (got ${value})`);
    return n;
  };
  o.instances = int('instances', values.instances, o.instances, 1, 16);
  o.seconds = int('seconds', values.seconds, o.seconds, 1, 24 * 3600);
  o.ops = int('ops', values.ops, o.ops, 1, 1e9);
  o.concurrency = int('concurrency', values.concurrency, o.concurrency, 1, 500);
  o.buyers = int('buyers', values.buyers, o.buyers, 1, 10_000);
  o.merchants = int('merchants', values.merchants, o.merchants, 1, 1000);
  o.productsPerMerchant = int(
    'products-per-merchant',
    values['products-per-merchant'],
    o.productsPerMerchant,
    1,
    50,
  );
  o.redisCluster = values['redis-cluster'] ?? false;
  o.faults = parseFaults(values.faults, o.redisCluster);
  for (const entry of values['fault-period'] ?? []) {
    const [given, ms] = entry.split('=');
    const name = canonical(given ?? '');
    if (!isFault(name)) throw new Error(`--fault-period: unknown fault ${given}`);
    o.periods[name] = int('fault-period', ms, 0, 100, 3_600_000);
  }
  o.disableVersionCheck = values['disable-version-check'] ?? false;
  o.databaseUrl = values['database-url'] ?? o.databaseUrl;
  o.ownDatabase = values['own-database'] ?? false;
  o.redisUrl = values['redis-url'] ?? o.redisUrl;
  o.privateRedis = values['private-redis'] ?? false;
  if (o.redisCluster && (o.privateRedis || values['redis-url'] !== undefined)) {
    throw new Error('--redis-cluster runs a cluster of its own: no --private-redis or --redis-url');
  }
  o.allowRestartShared = values['allow-restart-shared'] ?? false;
  o.lockTtlMs = int('lock-ttl-ms', values['lock-ttl-ms'], o.lockTtlMs, 100, 600_000);
  o.lockWaitMs = int('lock-wait-ms', values['lock-wait-ms'], o.lockWaitMs, 0, 600_000);
  o.paymentTtlSeconds = int(
    'payment-ttl-seconds',
    values['payment-ttl-seconds'],
    o.paymentTtlSeconds,
    1,
    86_400,
  );
  o.sweepIntervalMs = int(
    'sweep-interval-ms',
    values['sweep-interval-ms'],
    o.sweepIntervalMs,
    100,
    3_600_000,
  );
  o.pauseMs = int(
    'pause-ms',
    values['pause-ms'],
    Math.max(o.pauseMs, o.lockTtlMs * 2 + 500),
    1,
    600_000,
  );
  o.flashStock = int('flash-stock', values['flash-stock'], o.flashStock, 0, 1_000_000);
  o.flashBuyers = int('flash-buyers', values['flash-buyers'], o.flashBuyers, 0, 10_000);
  o.flashEverySeconds = int('flash-every', values['flash-every'], o.flashEverySeconds, 0, 86_400);
  o.couponEverySeconds = int(
    'coupon-every',
    values['coupon-every'],
    o.couponEverySeconds,
    0,
    86_400,
  );
  o.claimers = int('claimers', values.claimers, o.claimers, 1, 10_000);
  o.requestTimeoutMs = int(
    'request-timeout-ms',
    values['request-timeout-ms'],
    Math.max(o.requestTimeoutMs, o.pauseMs + o.lockWaitMs + 5000),
    100,
    600_000,
  );
  o.latencyMarginMs = int(
    'latency-margin-ms',
    values['latency-margin-ms'],
    o.latencyMarginMs,
    0,
    600_000,
  );
  o.report = values.report;
  o.seed = int('seed', values.seed, o.seed, 0, 2 ** 31);
  o.quiet = values.quiet ?? false;
  if (o.faults.includes('pause') && o.pauseMs <= o.lockTtlMs) {
    throw new Error(`--pause-ms (${o.pauseMs}) must be longer than --lock-ttl-ms (${o.lockTtlMs})`);
  }
  return o;
}

/** A fault's own name for one of its aliases (`redis-flush` -> `flushall`). */
function canonical(name: string): string {
  return FAULT_ALIASES[name] ?? name;
}

function isFault(name: string | undefined): name is FaultName {
  return (FAULTS as readonly string[]).includes(name ?? '');
}

/**
 * The faults of `--faults`. `all` is every fault the run's Redis allows: on one Redis
 * (`cluster` false) all but failover and reshard, on a cluster all but the single-Redis
 * faults. Naming a fault the Redis does not allow is an error.
 */
export function parseFaults(list: string | undefined, cluster = false): FaultName[] {
  if (list === undefined || list === '' || list === 'none') return [];
  if (list === 'all') return allFaults(cluster);
  const names = list.split(',').map((s) => canonical(s.trim()));
  for (const name of names) {
    if (!isFault(name))
      throw new Error(`--faults: unknown fault ${name} (known: ${FAULTS.join(', ')}, all)`);
    if (cluster && REDIS_FAULTS.includes(name))
      throw new Error(
        `--faults: ${name} acts on one redis-server and cannot run with --redis-cluster (its cluster faults: ${CLUSTER_FAULTS.join(', ')})`,
      );
    if (!cluster && CLUSTER_FAULTS.includes(name))
      throw new Error(`--faults: ${name} needs --redis-cluster (a cluster of the harness's own)`);
  }
  return [...new Set(names)] as FaultName[];
}
