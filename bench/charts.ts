/**
 * The bench's charts (Vega-Lite, rendered by support/charts.ts): throughput of the
 * coordinator and its baseline per scenario, and the latency distributions of the
 * contended scenarios. Built from a results object only, so a past run can be drawn again.
 */
import path from 'node:path';
import { SIDE_COLOURS, writeChart, type ChartSpec } from '../support/charts';
import type { BenchResult } from './report';
import { median } from './stats';

/** One written chart: where, and what it shows (the Markdown's alt text). */
export interface Chart {
  file: string;
  alt: string;
}

const SIDES = ['coordinator', 'baseline'] as const;
const PERCENTILES = ['p50', 'p90', 'p99', 'max'] as const;

const sideColour = {
  field: 'side',
  type: 'nominal',
  title: null,
  sort: SIDES,
  scale: { domain: [...SIDES], range: [SIDE_COLOURS.coordinator, SIDE_COLOURS.baseline] },
  legend: { orient: 'top' },
} as const;

const subtitle = (result: BenchResult): string =>
  `run of ${result.startedAt.slice(0, 10)}, ${result.mode} mode; medians of ${result.settings.reps} repetitions`;

/** Every figure measured per second that has a baseline: one pair of bars each. */
export function throughputSpec(result: BenchResult): ChartSpec | undefined {
  const rows = result.scenarios.flatMap((s) =>
    s.figures
      .filter((f) => f.unit.endsWith('/s') && f.baseline !== undefined)
      .map((f) => ({
        label: `${s.id}: ${f.measure} (${f.unit})`,
        c: f.candidate,
        b: f.baseline ?? 0,
      })),
  );
  if (rows.length === 0) return undefined;
  // Each row has its own scale (tx/s and cycles/s differ 100-fold); `pad` leaves room
  // right of the longer bar for its label.
  const values = rows.flatMap((r) => [
    { label: r.label, side: 'coordinator', value: r.c, pad: 1.25 * Math.max(r.c, r.b) },
    { label: r.label, side: 'baseline', value: r.b, pad: 1.25 * Math.max(r.c, r.b) },
  ]);
  const y = { field: 'side', type: 'nominal', sort: SIDES, axis: null } as const;
  return {
    title: { text: 'Throughput: coordinator and baseline', subtitle: subtitle(result) },
    data: { values },
    facet: {
      row: {
        field: 'label',
        type: 'nominal',
        sort: rows.map((r) => r.label),
        title: null,
        header: { labelAngle: 0, labelAnchor: 'start', labelOrient: 'top', labelPadding: 2 },
      },
    },
    spacing: 6,
    spec: {
      width: 560,
      height: { step: 14 },
      layer: [
        {
          mark: 'bar',
          encoding: {
            y,
            x: { field: 'value', type: 'quantitative', axis: null },
            color: sideColour,
          },
        },
        {
          mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 },
          encoding: {
            y,
            x: { field: 'value', type: 'quantitative' },
            text: { field: 'value', format: ',.0f' },
          },
        },
        {
          mark: { type: 'point', opacity: 0 },
          encoding: { y, x: { field: 'pad', type: 'quantitative' } },
        },
      ],
    },
    resolve: { scale: { x: 'independent' } },
  };
}

/** The latency spreads (ms) a scenario's repetitions keep, and where to find them. */
const SERIES = [
  { scenario: 'hot-order', group: undefined, label: 'hot-order: 32 clients, one order' },
  { scenario: 'hot-and-cold', group: 'hot', label: 'hot-and-cold: the hot order' },
  { scenario: 'hot-and-cold', group: 'cold', label: 'hot-and-cold: the cold orders' },
] as const;

function field(rep: unknown, group: string | undefined, key: string): number | undefined {
  const at = (o: unknown, k: string): unknown =>
    typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[k] : undefined;
  const value = at(group === undefined ? rep : at(rep, group), key);
  return typeof value === 'number' ? value : undefined;
}

/** p50 / p90 / p99 / max of hot-order and hot-and-cold, medians over the repetitions. */
export function latencySpec(result: BenchResult): ChartSpec | undefined {
  const values = SERIES.flatMap((series) => {
    const reps = result.scenarios.find((s) => s.id === series.scenario)?.reps;
    if (reps === undefined) return [];
    return SIDES.flatMap((side) =>
      PERCENTILES.flatMap((p) => {
        const all = (reps[side === 'coordinator' ? 'candidate' : 'baseline'] ?? []).map((r) =>
          field(r, series.group, p),
        );
        const found = all.filter((v): v is number => v !== undefined);
        // Runs before p90 was kept have none: that bar is left out, not drawn as 0.
        return found.length === 0 ? [] : [{ series: series.label, side, p, ms: median(found) }];
      }),
    );
  });
  if (values.length === 0) return undefined;
  // An invisible point at 1.12x the panel's highest bar keeps its label inside the panel.
  const top = new Map<string, number>();
  for (const v of values) top.set(v.series, Math.max(top.get(v.series) ?? 0, v.ms));
  const pads = [...top].map(([series, ms]) => ({
    series,
    side: 'coordinator',
    p: 'p50',
    pad: ms * 1.12,
  }));
  const missing = PERCENTILES.filter((p) => !values.some((v) => v.p === p));
  const kept = missing.length === 0 ? '' : ` (this run kept no ${missing.join(', ')})`;
  return {
    title: {
      text: 'Latency of one transition (ms): coordinator and baseline',
      subtitle: [subtitle(result), `each panel has its own scale${kept}`],
    },
    data: { values: [...values, ...pads] },
    facet: {
      column: {
        field: 'series',
        type: 'nominal',
        sort: SERIES.map((s) => s.label),
        title: null,
        header: { labelFontWeight: 'bold' },
      },
    },
    spec: {
      width: 220,
      height: 240,
      encoding: {
        x: {
          field: 'p',
          type: 'ordinal',
          sort: [...PERCENTILES],
          title: null,
          axis: { labelAngle: 0 },
        },
        xOffset: { field: 'side', sort: [...SIDES] },
        y: { field: 'ms', type: 'quantitative', title: 'ms', scale: { nice: true } },
      },
      layer: [
        { mark: 'bar', encoding: { color: sideColour } },
        {
          mark: { type: 'text', dy: -6, fontSize: 9 },
          encoding: { text: { field: 'ms', format: '.3~r' } },
        },
        {
          mark: { type: 'point', opacity: 0 },
          encoding: { y: { field: 'pad', type: 'quantitative' } },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** Writes `throughput.svg` and `latency.svg` into `dir` (those the result has data for). */
export async function writeBenchCharts(result: BenchResult, dir: string): Promise<Chart[]> {
  const charts = [
    { name: 'throughput.svg', spec: throughputSpec(result), alt: 'Throughput per scenario' },
    { name: 'latency.svg', spec: latencySpec(result), alt: 'Latency p50, p90, p99, max' },
  ];
  const written: Chart[] = [];
  for (const { name, spec, alt } of charts) {
    if (spec === undefined) continue;
    const file = path.join(dir, name);
    await writeChart(file, spec);
    written.push({ file, alt });
  }
  return written;
}
