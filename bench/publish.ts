/**
 * What a bench result turns into besides its JSON: the charts and the generated part of
 * BENCHMARKS.md. `npm run bench` calls `publish` after a run; `npm run bench:charts --
 * <results.json>` draws a past run again (same charts, same Markdown).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeBenchCharts } from './charts';
import { markdownSection, writeMarkdown, type BenchResult } from './report';
import { runCli } from '../support/cli';

const ROOT = path.resolve(__dirname, '..');

export interface PublishTargets {
  /** Folder of the SVG charts; undefined: no charts. */
  charts: string | undefined;
  /** Markdown file whose generated section is replaced; undefined: none. */
  markdown: string | undefined;
}

/** Where charts go by default: `docs/bench/` next to the Markdown file. */
export const chartsBeside = (markdown: string): string =>
  path.join(path.dirname(markdown), 'docs', 'bench');

const posix = (p: string): string => p.split(path.sep).join('/');

/**
 * Writes the charts of `result` and the Markdown section (with links to the charts,
 * relative to the Markdown file). `jsonFile` is the result's file, named in the section.
 */
export async function publish(
  result: BenchResult,
  jsonFile: string,
  targets: PublishTargets,
  progress: (line: string) => void,
): Promise<void> {
  const charts = targets.charts === undefined ? [] : await writeBenchCharts(result, targets.charts);
  for (const c of charts) progress(`wrote ${c.file}`);
  const markdown = targets.markdown;
  if (markdown === undefined) return;
  const links = charts.map((c) => ({
    href: posix(path.relative(path.dirname(markdown), c.file)),
    alt: c.alt,
  }));
  writeMarkdown(markdown, markdownSection(result, posix(path.relative(ROOT, jsonFile)), links));
  progress(`updated ${markdown}`);
}

const USAGE = `usage: npm run bench:charts -- RESULTS.json [--charts DIR] [--markdown FILE | --no-markdown]
Draws the charts of a past run; a full run's result also replaces BENCHMARKS.md's table.`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      charts: { type: 'string' },
      markdown: { type: 'string' },
      'no-markdown': { type: 'boolean', default: false },
    },
  });
  const [file] = positionals;
  if (file === undefined || positionals.length > 1) throw new TypeError(USAGE);
  const result = JSON.parse(readFileSync(file, 'utf8')) as BenchResult;
  const markdown = values['no-markdown']
    ? undefined
    : (values.markdown ?? (result.mode === 'full' ? path.join(ROOT, 'BENCHMARKS.md') : undefined));
  // A quick result never replaces the committed charts unless told where to draw.
  const charts = values.charts ?? (markdown === undefined ? undefined : chartsBeside(markdown));
  if (charts === undefined)
    throw new TypeError(
      `${USAGE}\n(no Markdown file to draw beside, e.g. a quick run's result: give --charts DIR)`,
    );
  await publish(result, path.resolve(file), { charts, markdown }, (line) =>
    process.stderr.write(`${line}\n`),
  );
}

if (require.main === module) runCli(main);
