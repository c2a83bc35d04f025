/**
 * The run as a picture: every request's latency over the run (by outcome) above one lane
 * per fault, on the same time axis, so that a reader sees what a Redis restart, a stall
 * or a kill did to the clients. Written as `<report>.timeline.svg` beside the JSON report;
 * `npm run harness:timeline -- <report.json>` draws a past run again from its history.
 */
import { readFileSync } from 'node:fs';
import { writeChart, type ChartSpec } from '../support/charts';
import { runCli } from '../support/cli';
import type { FaultRecord } from './faults/types';
import type { Report } from './report';
import type { Outcome, RequestRecord } from './types';

const OUTCOMES: readonly Outcome[] = ['ok', 'rejected', 'unknown', 'refused'];
const OUTCOME_COLOURS = ['#8fa9c4', '#f2a03d', '#d62728', '#9467bd'];
/** The log scale's floor: a refused connection can answer in well under a millisecond. */
const FLOOR_MS = 0.5;
const WIDTH = 1000;

/** Where the timeline of the report at `reportPath` goes. */
export const timelinePath = (reportPath: string): string =>
  `${reportPath.replace(/\.json$/, '')}.timeline.svg`;

const seconds = (ms: number): number => Math.round(ms) / 1000;

/**
 * The timeline's spec: requests as points (x: seconds since the run started, y: latency
 * in ms on a log scale, colour: outcome; `ok` drawn first and faint so the others show),
 * and each fault as a bar from its start to its end, with a tick at its start (a
 * `pg-drop` lasts milliseconds), in a lane of its kind.
 */
export function timelineSpec(
  records: readonly RequestRecord[],
  faults: readonly FaultRecord[],
  title: { text: string; subtitle: string },
): ChartSpec {
  const rank = (o: Outcome) => OUTCOMES.indexOf(o);
  const points = records
    .filter((r) => r.recvMs !== undefined)
    .sort((a, b) => rank(a.outcome) - rank(b.outcome))
    .map((r) => ({
      t: seconds(r.sentMs),
      ms: Math.max(FLOOR_MS, Math.round(((r.recvMs ?? 0) - r.sentMs) * 10) / 10),
      outcome: r.outcome,
    }));
  const marks = faults.map((f) => ({
    fault: f.fault,
    start: seconds(f.startMs),
    end: seconds(f.endMs),
  }));
  const last = Math.max(1, ...points.map((p) => p.t), ...marks.map((m) => m.end));
  const scale = { domain: [0, Math.ceil(last)], nice: false };
  const lanes = [...new Set(faults.map((f) => f.fault))].sort();
  return {
    title,
    vconcat: [
      {
        width: WIDTH,
        height: 320,
        data: { values: points },
        name: 'requests',
        mark: { type: 'circle', size: 10, opacity: 0.55 },
        encoding: {
          x: { field: 't', type: 'quantitative', scale, axis: { title: null } },
          y: {
            field: 'ms',
            type: 'quantitative',
            title: 'latency (ms, log scale)',
            scale: { type: 'log', domainMin: FLOOR_MS },
          },
          color: {
            field: 'outcome',
            type: 'nominal',
            title: 'outcome',
            scale: { domain: [...OUTCOMES], range: OUTCOME_COLOURS },
            legend: { orient: 'top', symbolOpacity: 1 },
          },
        },
      },
      {
        width: WIDTH,
        height: { step: 18 },
        data: { values: marks },
        encoding: {
          y: { field: 'fault', type: 'nominal', sort: lanes, title: 'faults' },
          x: {
            field: 'start',
            type: 'quantitative',
            scale,
            title: 'seconds since the run started',
          },
          color: {
            field: 'fault',
            type: 'nominal',
            sort: lanes,
            scale: { scheme: 'dark2' },
            legend: null,
          },
        },
        layer: [
          {
            name: 'fault_spans',
            mark: { type: 'bar', opacity: 0.45 },
            encoding: { x2: { field: 'end' } },
          },
          { name: 'fault_starts', mark: { type: 'tick', thickness: 2 } },
        ],
      },
    ],
    spacing: 8,
    // Outcomes and fault kinds have colours of their own; only the time axis is shared.
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  };
}

/** Reads a history file (one request per JSON line). */
export function readHistory(file: string): RequestRecord[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RequestRecord);
}

/** The timeline's title: the run, its settings, and what the faults were. */
export function timelineTitle(report: Report): { text: string; subtitle: string } {
  const o = report.options;
  return {
    text: `Harness run ${report.runId}: request latency and injected faults`,
    subtitle: `seed ${o.seed}, ${o.instances} instances, ${o.concurrency} clients, ${report.workloadSeconds} s of workload; ${report.requests.sent} requests, ${report.faults.log.length} faults`,
  };
}

/** Draws the timeline of `report` from `records` into `file`. */
export async function writeTimeline(
  file: string,
  report: Report,
  records: readonly RequestRecord[],
): Promise<void> {
  await writeChart(file, timelineSpec(records, report.faults.log, timelineTitle(report)));
}

/**
 * Draws the timeline beside the report at `reportPath` and returns its path; a chart that
 * fails costs the chart, not the run: `warn` gets why, and the result is undefined.
 */
export async function timelineBeside(
  reportPath: string,
  report: Report,
  records: readonly RequestRecord[],
  warn: (message: string) => void,
): Promise<string | undefined> {
  const file = timelinePath(reportPath);
  try {
    await writeTimeline(file, report, records);
    return file;
  } catch (error) {
    warn(`timeline not drawn: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

async function main(argv: string[]): Promise<void> {
  const [reportPath] = argv;
  if (reportPath === undefined || argv.length > 1 || !reportPath.endsWith('.json')) {
    throw new TypeError('usage: npm run harness:timeline -- harness/reports/<run>.json');
  }
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
  // The history beside the report (the report's own path may name another machine's folder).
  const records = readHistory(`${reportPath.replace(/\.json$/, '')}.history.jsonl`);
  const file = timelinePath(reportPath);
  await writeTimeline(file, report, records);
  process.stdout.write(`timeline: ${file}\n`);
}

if (require.main === module) runCli(main);
