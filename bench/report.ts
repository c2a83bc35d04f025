import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Machine } from './machine';
import type { Figure, ScenarioResult, Settings } from './scenario';
import { round } from './stats';

/** What `bench/results/<timestamp>.json` holds. */
export interface BenchResult {
  schema: 1;
  mode: 'full' | 'quick';
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  machine: Machine;
  settings: Settings & { dbPoolMax: number; lockWaitMs: number; lockTtlMs: number };
  scenarios: ScenarioResult[];
}

const num = (value: number | undefined): string =>
  value === undefined ? '' : String(round(value));

const verdict = (f: Figure): string => (f.met === undefined ? '' : f.met ? 'yes' : 'NO');

function rows(result: BenchResult): string[][] {
  const out: string[][] = [];
  for (const s of result.scenarios) {
    for (const f of s.figures) {
      out.push([
        s.id,
        `${f.measure} (${f.unit})`,
        num(f.candidate),
        num(f.baseline),
        num(f.ratio),
        f.target ?? '',
        verdict(f),
      ]);
    }
  }
  return out;
}

const HEAD = ['scenario', 'measure', 'coordinator', 'baseline', 'ratio', 'target', 'met'];

/** The summary as an aligned text table, for the terminal. */
export function textTable(result: BenchResult): string {
  const all = [HEAD, ...rows(result)];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ');
  return [line(HEAD), widths.map((w) => '-'.repeat(w)).join('  '), ...rows(result).map(line)].join(
    '\n',
  );
}

/** A chart image for the Markdown: its path relative to the Markdown file, and its alt text. */
export interface ChartLink {
  href: string;
  alt: string;
}

/**
 * The figures, the baselines and the machine, as the Markdown BENCHMARKS.md shows them,
 * with the charts (if any) right after the table.
 */
export function markdownSection(
  result: BenchResult,
  jsonPath: string,
  charts: readonly ChartLink[] = [],
): string {
  const m = result.machine;
  const s = result.settings;
  const cell = (r: string[]) => `| ${r.join(' | ')} |`;
  return [
    `Run of ${result.startedAt.slice(0, 10)} (${result.mode} mode, ${result.durationSeconds} s, ` +
      `result \`${jsonPath}\`).`,
    '',
    `Machine: ${m.cores} cores (${m.cpu}), ${m.memoryGiB} GiB memory, ${m.os}; Node.js ${m.node}, ` +
      `PostgreSQL ${m.postgres}, Redis ${m.redis}; load average ${m.loadAverage} at the start ` +
      '(the machine is shared).',
    `Settings: ${s.reps} repetitions of ${s.durationMs / 1000} s per side (after a ` +
      `${s.warmupMs / 1000} s warm-up), DB_POOL_MAX ${s.dbPoolMax}, LOCK_WAIT_MS ${s.lockWaitMs}, ` +
      `LOCK_TTL_MS ${s.lockTtlMs}. Every figure is the median over the repetitions; a ratio is ` +
      'the median of coordinator / baseline over pairs measured in the same repetition.',
    '',
    cell(HEAD),
    cell(HEAD.map(() => '---')),
    ...rows(result).map(cell),
    '',
    ...charts.flatMap((c) => [`![${c.alt}](${c.href})`, '']),
    ...result.scenarios.flatMap((sc) => [
      `- **${sc.title}**: coordinator = ${sc.candidate}; baseline = ${sc.baseline}.` +
        (sc.notes.length > 0 ? ` ${sc.notes.join(' ')}` : ''),
    ]),
  ].join('\n');
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Replaces the generated part of `file` (between the markers), keeping the prose around it. */
export function writeMarkdown(file: string, section: string): void {
  const block = `${START}\n${section}\n${END}`;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  const next =
    start >= 0 && end > start
      ? text.slice(0, start) + block + text.slice(end + END.length)
      : `${text.trimEnd()}${text ? '\n\n' : '# Benchmarks\n\n'}${block}\n`;
  writeFileSync(file, next);
}

/** Rounds every figure for the JSON (the repetitions keep their raw values). */
export function rounded(scenarios: ScenarioResult[]): ScenarioResult[] {
  return scenarios.map((s) => ({
    ...s,
    figures: s.figures.map((f) => ({
      ...f,
      candidate: round(f.candidate),
      ...(f.baseline !== undefined ? { baseline: round(f.baseline) } : {}),
      ...(f.ratio !== undefined ? { ratio: round(f.ratio) } : {}),
    })),
  }));
}
