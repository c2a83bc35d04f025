import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { latencySpec, throughputSpec, writeBenchCharts } from '../../bench/charts';
import { markdownSection, type BenchResult } from '../../bench/report';
import type { ScenarioResult } from '../../bench/scenario';
import { renderSvg } from '../../support/charts';

const spread = (p50: number) => ({ p50, p90: p50 * 2, p99: p50 * 3, max: p50 * 4 });

function scenario(id: string, reps: Record<string, unknown[]>): ScenarioResult {
  return {
    id,
    title: id,
    candidate: 'c',
    baseline: 'b',
    figures: [
      { measure: 'throughput', unit: 'tx/s', candidate: 500, baseline: 400, ratio: 1.25 },
      { measure: 'latency p99', unit: 'ms', candidate: 30, baseline: 40, ratio: 0.75 },
    ],
    reps,
    notes: [],
  };
}

const result = (scenarios: ScenarioResult[]): BenchResult => ({
  schema: 1,
  mode: 'full',
  startedAt: '2026-11-22T23:19:17.792Z',
  finishedAt: '2026-11-22T23:24:48.000Z',
  durationSeconds: 331,
  machine: {} as BenchResult['machine'],
  settings: {
    quick: false,
    reps: 3,
    durationMs: 6000,
    warmupMs: 1000,
    maxOps: 1,
    countOps: 1,
    dbPoolMax: 10,
    lockWaitMs: 5000,
    lockTtlMs: 10000,
  },
  scenarios,
});

const full = result([
  scenario('uncontended', {}),
  scenario('hot-order', { candidate: [spread(50), spread(60)], baseline: [spread(70)] }),
  scenario('hot-and-cold', {
    candidate: [{ hot: spread(1000), cold: spread(20) }],
    baseline: [{ hot: spread(200), cold: spread(170) }],
  }),
]);

describe('bench charts', () => {
  it('when a result has throughput figures, then the SVG names every scenario and value', async () => {
    const spec = throughputSpec(full);
    expect(spec).toBeDefined();
    const svg = await renderSvg(spec!);
    expect(svg.startsWith('<svg')).toBe(true);
    for (const id of ['uncontended', 'hot-order', 'hot-and-cold']) {
      expect(svg).toContain(`${id}: throughput (tx/s)`);
    }
    expect(svg).toContain('>500<');
    expect(svg).toContain('>400<');
    expect(svg).not.toContain('latency p99'); // only figures per second
  });

  it('when hot-order and hot-and-cold have spreads, then the latency chart draws p50 to max', async () => {
    const svg = await renderSvg(latencySpec(full)!);
    for (const label of [
      'hot-order',
      'the hot order',
      'the cold orders',
      'p50',
      'p90',
      'p99',
      'max',
    ]) {
      expect(svg).toContain(label);
    }
    expect(svg).toContain('>55<'); // median of the coordinator's two p50s
    expect(svg).not.toContain('kept no');
  });

  it('when a run kept no p90, then the chart says so instead of drawing zeros', () => {
    const old = result([
      scenario('hot-order', {
        candidate: [{ p50: 5, p99: 9, max: 12 }],
        baseline: [{ p50: 6, p99: 8, max: 10 }],
      }),
    ]);
    const spec = JSON.stringify(latencySpec(old));
    expect(spec).toContain('this run kept no p90');
    expect(spec).not.toContain('"p":"p90"');
  });

  it('when a result has no such figures, then no chart is written; else the Markdown links each after the table', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-charts-'));
    try {
      const none = result([{ ...scenario('lock-commands', {}), figures: [] }]);
      expect(await writeBenchCharts(none, dir)).toEqual([]);
      const charts = await writeBenchCharts(full, dir);
      expect(charts.map((c) => path.basename(c.file))).toEqual(['throughput.svg', 'latency.svg']);
      expect(readFileSync(charts[0]!.file, 'utf8')).toMatch(/^<svg[^]*<\/svg>\n$/);
      const md = markdownSection(full, 'bench/results/x.json', [
        { href: 'docs/bench/throughput.svg', alt: 'Throughput per scenario' },
      ]);
      expect(md).toMatch(
        /\| hot-and-cold \|[^\n]*\n\n!\[Throughput per scenario\]\(docs\/bench\/throughput.svg\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
