import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseCli, type CliOptions } from './cli';
import { ClientCommandCounter } from './commands';
import { migrateDatabase } from '../support/database';
import { redact } from '../support/urls';
import { benchConfig, openContext } from './context';
import { makeWorld } from './fixtures';
import { describeMachine } from './machine';
import { chartsBeside, publish } from './publish';
import { rounded, textTable, type BenchResult } from './report';
import type { BenchEnv, Scenario, ScenarioResult } from './scenario';
import { claimStorm } from './scenarios/claim-storm';
import { events } from './scenarios/events';
import { flashSale } from './scenarios/flash-sale';
import { hotAndCold } from './scenarios/hot-cold';
import { hotOrder } from './scenarios/hot';
import { http } from './scenarios/http';
import { lockCommands } from './scenarios/lock-commands';
import { lockCycles } from './scenarios/lock-cycles';
import { uncontended } from './scenarios/uncontended';
import { onCluster } from './scenarios/cluster';

/**
 * Every scenario, in the order of issue 6, then issue 9's flash sale, issue 16's claim
 * storm, issue 10's events and issue 13's cluster (only with --redis-cluster).
 */
export const SCENARIOS: Scenario[] = [
  uncontended,
  hotOrder,
  hotAndCold,
  lockCycles,
  lockCommands,
  http,
  flashSale,
  claimStorm,
  events,
  onCluster,
];

const ROOT = path.resolve(__dirname, '..');

function progress(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

function defaultOut(options: CliOptions, startedAt: Date): string {
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  return path.join(ROOT, 'bench', 'results', `${stamp}${options.quick ? '-quick' : ''}.json`);
}

/** Runs the selected scenarios and writes the JSON (and the Markdown table). */
export async function runBench(options: CliOptions): Promise<BenchResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const selected = SCENARIOS.filter(
    (s) => options.only?.includes(s.id) ?? (s !== onCluster || options.clusterNodes !== undefined),
  );
  if (selected.length === 0)
    throw new TypeError(`--only matched no scenario of: ${SCENARIOS.map((s) => s.id).join(', ')}`);
  if (selected.includes(onCluster) && options.clusterNodes === undefined)
    throw new TypeError(
      'the cluster scenario needs --redis-cluster host:port,... (or REDIS_CLUSTER_NODES)',
    );
  if (!selected.includes(onCluster) && options.only === undefined)
    progress(
      'cluster scenario left out: no --redis-cluster (bash scripts/services.sh cluster-up starts one)',
    );
  progress(`migrating ${redact(options.databaseUrl)}`);
  await migrateDatabase(options.databaseUrl);
  const config = benchConfig(options.databaseUrl, options.redisUrl);
  const ctx = openContext(config);
  const counter = new ClientCommandCounter();
  counter.install();
  try {
    const machine = await describeMachine(ctx.db, await ctx.redis('bench-info'));
    progress(
      `machine: ${machine.cores} cores, node ${machine.node}, PostgreSQL ${machine.postgres}, Redis ${machine.redis}, load ${machine.loadAverage}`,
    );
    const world = await makeWorld(ctx.db, config);
    const env: BenchEnv = {
      ctx,
      world,
      settings: options.settings,
      counter,
      databaseUrl: options.databaseUrl,
      redisUrl: options.redisUrl,
      ...(options.clusterNodes !== undefined
        ? {
            cluster: {
              seeds: options.clusterNodes,
              config: benchConfig(options.databaseUrl, options.redisUrl, options.clusterNodes),
            },
          }
        : {}),
      progress,
      shared: new Map(),
    };
    const scenarios: ScenarioResult[] = [];
    try {
      for (const scenario of selected) {
        progress(`[${scenario.id}] start`);
        scenarios.push(await scenario.run(env));
      }
    } finally {
      await Promise.all([...env.shared.values()].map((s) => s.close()));
    }
    const result: BenchResult = {
      schema: 1,
      mode: options.quick ? 'quick' : 'full',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      durationSeconds: Math.round((performance.now() - t0) / 1000),
      machine,
      settings: {
        ...options.settings,
        dbPoolMax: config.DB_POOL_MAX,
        lockWaitMs: config.LOCK_WAIT_MS,
        lockTtlMs: config.LOCK_TTL_MS,
      },
      scenarios: rounded(scenarios),
    };
    await write(options, result, startedAt);
    return result;
  } finally {
    counter.uninstall();
    await ctx.close();
  }
}

async function write(options: CliOptions, result: BenchResult, startedAt: Date): Promise<void> {
  const out = options.out ?? defaultOut(options, startedAt);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  progress(`wrote ${out}`);
  const markdown = options.noMarkdown
    ? undefined
    : (options.markdown ?? (options.quick ? undefined : path.join(ROOT, 'BENCHMARKS.md')));
  const charts = options.charts ?? (markdown === undefined ? undefined : chartsBeside(markdown));
  await publish(result, out, { charts, markdown }, progress);
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const result = await runBench(options);
  process.stdout.write(`\n${textTable(result)}\n\n`);
  process.stdout.write(`${result.mode} run: ${result.durationSeconds} s on ${os.hostname()}\n`);
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `bench failed: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
