import type { Config } from '../src/config';
import type { BenchContext } from './context';
import type { ClientCommandCounter } from './commands';
import type { RunLimits } from './driver';
import type { World } from './fixtures';
import { median } from './stats';

/** One line of a scenario's table: the measured system, its baseline and their ratio. */
export interface Figure {
  measure: string;
  unit: string;
  candidate: number;
  baseline?: number;
  /** Median over repetitions of candidate / baseline, each pair from the same repetition. */
  ratio?: number;
  target?: string;
  met?: boolean;
}

export interface ScenarioResult {
  id: string;
  title: string;
  candidate: string;
  baseline: string;
  figures: Figure[];
  /** Every repetition of each side, as measured (latency samples dropped). */
  reps: Record<string, unknown[]>;
  notes: string[];
}

/** How long and how often to measure. */
export interface Settings {
  /** `--quick`: smaller loads where a scenario's size is not a duration (the flash sale). */
  quick: boolean;
  reps: number;
  durationMs: number;
  warmupMs: number;
  /** Safety bound on operations per run (time is the usual bound). */
  maxOps: number;
  /** Operations per command-counting window. */
  countOps: number;
}

export interface BenchEnv {
  ctx: BenchContext;
  world: World;
  settings: Settings;
  counter: ClientCommandCounter;
  databaseUrl: string;
  redisUrl: string;
  /** The Redis Cluster of the cluster scenario: its seeds and the config naming them. */
  cluster?: { seeds: string; config: Config };
  progress: (line: string) => void;
  /**
   * Things scenarios share (instances started once for several), by name; the run
   * closes each at its end.
   */
  shared: Map<string, { close: () => Promise<void> }>;
}

export interface Scenario {
  id: string;
  run: (env: BenchEnv) => Promise<ScenarioResult>;
}

/** One side of a comparison: runs one repetition, describes it in one progress line. */
export interface Side<T> {
  name: string;
  run: (limits: RunLimits) => Promise<T>;
  describe: (rep: T) => string;
}

/**
 * Warms both sides up, then runs `reps` repetitions of each, alternating which goes first
 * (B A, A B, B A...) so that a drift of the shared machine hits both sides alike.
 */
export async function compare<T>(
  env: BenchEnv,
  id: string,
  candidate: Side<T>,
  baseline: Side<T>,
): Promise<{ candidate: T[]; baseline: T[] }> {
  const { settings } = env;
  const warm = { durationMs: settings.warmupMs, maxOps: settings.maxOps };
  await baseline.run(warm);
  await candidate.run(warm);
  const out = { candidate: [] as T[], baseline: [] as T[] };
  const limits = { durationMs: settings.durationMs, maxOps: settings.maxOps };
  for (let rep = 1; rep <= settings.reps; rep++) {
    const order = rep % 2 === 1 ? [baseline, candidate] : [candidate, baseline];
    for (const side of order) {
      const result = await side.run(limits);
      (side === candidate ? out.candidate : out.baseline).push(result);
      env.progress(`[${id}] rep ${rep}/${settings.reps} ${side.name}: ${side.describe(result)}`);
    }
  }
  return out;
}

/** A figure from both sides' repetitions: medians of each, and the median paired ratio. */
export function figure(
  measure: string,
  unit: string,
  candidate: number[],
  baseline: number[],
  target?: { text: string; met: (ratio: number) => boolean },
): Figure {
  const ratios = candidate.map((c, i) => c / (baseline[i] ?? NaN)).filter(Number.isFinite);
  const ratio = median(ratios);
  return {
    measure,
    unit,
    candidate: median(candidate),
    baseline: median(baseline),
    ratio,
    ...(target ? { target: target.text, met: target.met(ratio) } : {}),
  };
}

/** The same field of every repetition. */
export const field = <T, K extends keyof T>(reps: T[], key: K): number[] =>
  reps.map((r) => Number(r[key]));

export const fmt = (ms: number): string => ms.toFixed(1);
