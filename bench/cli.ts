import { parseArgs } from 'node:util';
import { databaseUrlFrom, redisUrlFrom } from '../support/urls';
import type { Settings } from './scenario';

export interface CliOptions {
  quick: boolean;
  /** JSON result file; default bench/results/<timestamp>.json (-quick.json in quick mode). */
  out: string | undefined;
  /** Where the table goes; undefined: BENCHMARKS.md in a full run, nowhere in a quick one. */
  markdown: string | undefined;
  noMarkdown: boolean;
  /** Folder of the SVG charts; undefined: docs/bench/ beside the Markdown, none without one. */
  charts: string | undefined;
  databaseUrl: string;
  redisUrl: string;
  /** Seeds of a Redis Cluster for the cluster scenario (`--redis-cluster`, REDIS_CLUSTER_NODES). */
  clusterNodes: string | undefined;
  /** Scenario ids to run (default all). */
  only: string[] | undefined;
  settings: Settings;
}

export const USAGE = `usage: npm run bench -- [--quick] [--out FILE] [--markdown FILE | --no-markdown]
       [--charts DIR] [--database-url URL] [--redis-url URL] [--redis-cluster host:port,...]
       [--only id,id] [--reps N] [--seconds S]
Defaults: the dev database and Redis (DATABASE_URL / REDIS_URL when set); 3 repetitions.
The cluster scenario runs only with --redis-cluster (or REDIS_CLUSTER_NODES).`;

/** Parses the command line; throws TypeError with the usage on anything unknown. */
export function parseCli(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      out: { type: 'string' },
      markdown: { type: 'string' },
      'no-markdown': { type: 'boolean', default: false },
      charts: { type: 'string' },
      'database-url': { type: 'string' },
      'redis-url': { type: 'string' },
      'redis-cluster': { type: 'string' },
      only: { type: 'string' },
      reps: { type: 'string' },
      seconds: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new TypeError(USAGE);
  const quick = values.quick ?? false;
  const reps = Number(values.reps ?? 3);
  const seconds = Number(values.seconds ?? (quick ? 1.5 : 6));
  if (!Number.isInteger(reps) || reps < 1 || reps > 50) throw new TypeError('--reps: 1 to 50');
  if (!(seconds > 0 && seconds <= 600)) throw new TypeError('--seconds: more than 0, at most 600');
  return {
    quick,
    out: values.out,
    markdown: values.markdown,
    noMarkdown: values['no-markdown'] ?? false,
    charts: values.charts,
    databaseUrl: values['database-url'] ?? databaseUrlFrom(),
    redisUrl: values['redis-url'] ?? redisUrlFrom(),
    clusterNodes: values['redis-cluster'] ?? (process.env.REDIS_CLUSTER_NODES || undefined),
    only: values.only?.split(',').map((s) => s.trim()),
    settings: {
      quick,
      reps,
      durationMs: Math.round(seconds * 1000),
      warmupMs: quick ? 300 : 1000,
      maxOps: 1_000_000,
      countOps: quick ? 300 : 1200,
    },
  };
}
