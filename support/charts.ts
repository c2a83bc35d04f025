/**
 * Charts as SVG without a browser: a Vega-Lite spec is compiled to Vega and rendered by
 * a headless Vega view (`renderer: 'none'`). The bench and the harness build their specs;
 * this is the one place that renders and writes them.
 *
 * Vega 5 / Vega-Lite 5 rather than 6: version 6 is ESM with a top-level await, which
 * neither `require` (this project is CommonJS) nor jest without its experimental VM
 * modules can load; the 5.x line still gets releases.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export type ChartSpec = TopLevelSpec;

/** One look for every chart: readable sizes, a white background, no outer frame. */
const CONFIG: NonNullable<TopLevelSpec['config']> = {
  background: 'white',
  padding: 12,
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  title: { fontSize: 15, anchor: 'start', offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 12, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: null },
};

/** Colours of the two sides the bench compares, the same in every bench chart. */
export const SIDE_COLOURS = { coordinator: '#4c78a8', baseline: '#f58518' } as const;

/**
 * Renders a Vega-Lite spec to a standalone SVG document (a string). Text widths are
 * estimated (no canvas), so specs leave room around labels.
 * @throws Error when the spec does not compile.
 */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const compiled = compile({ ...spec, config: { ...CONFIG, ...spec.config } }).spec;
  const view = new View(parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders `spec` and writes it to `file` (creating its folder). */
export async function writeChart(file: string, spec: ChartSpec): Promise<void> {
  const svg = await renderSvg(spec);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${svg}\n`);
}
