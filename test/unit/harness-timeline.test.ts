import type { FaultRecord } from '../../harness/faults/types';
import { timelinePath, timelineSpec } from '../../harness/timeline';
import type { Outcome, RequestRecord } from '../../harness/types';
import { renderSvg } from '../../support/charts';

function request(id: number, sentMs: number, ms: number, outcome: Outcome): RequestRecord {
  return {
    id,
    kind: 'pay',
    actor: { role: 'buyer', id: 'b1' },
    port: 3000,
    sentMs,
    sentWall: 0,
    recvMs: sentMs + ms,
    recvWall: 0,
    outcome,
    replayed: false,
  };
}

const fault = (name: FaultRecord['fault'], startMs: number, endMs: number): FaultRecord => ({
  fault: name,
  startMs,
  endMs,
  detail: `${name}#1`,
});

const records = [
  request(1, 100, 12, 'ok'),
  request(2, 2_100, 1_000.4, 'unknown'),
  request(3, 2_300, 0.05, 'refused'),
  request(4, 4_000, 30, 'rejected'),
];
const faults = [
  fault('redis-restart', 2_000, 3_200),
  fault('pg-drop', 3_500, 3_510),
  fault('redis-restart', 5_000, 5_800),
];

/** The SVG paths of one named mark group (Vega names the group `<layer name>_marks`). */
function marksIn(svg: string, name: string): number {
  const start = svg.indexOf(`${name}_marks`);
  if (start < 0) return 0;
  const end = svg.indexOf('</g>', start);
  return (svg.slice(start, end).match(/<path /g) ?? []).length;
}

describe('harness timeline', () => {
  it('when a run had faults, then the SVG has a bar and a tick per fault, in a lane per kind', async () => {
    const svg = await renderSvg(timelineSpec(records, faults, { text: 'run x', subtitle: 's' }));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(marksIn(svg, 'fault_spans')).toBe(3);
    expect(marksIn(svg, 'fault_starts')).toBe(3);
    expect(marksIn(svg, 'requests')).toBe(4);
    for (const label of ['redis-restart', 'pg-drop', 'seconds since the run started']) {
      expect(svg).toContain(label);
    }
    for (const outcome of ['ok', 'rejected', 'unknown', 'refused']) expect(svg).toContain(outcome);
  });

  it('when requests are drawn, then ok comes first, times are seconds and latencies keep a floor', () => {
    const spec = timelineSpec(records, [], { text: 'run x', subtitle: 's' }) as {
      vconcat: { data: { values: { t: number; ms: number; outcome: string }[] } }[];
    };
    const points = spec.vconcat[0]!.data.values;
    expect(points.map((p) => p.outcome)).toEqual(['ok', 'rejected', 'unknown', 'refused']);
    expect(points.find((p) => p.outcome === 'unknown')).toEqual({
      t: 2.1,
      ms: 1000.4,
      outcome: 'unknown',
    });
    expect(points.find((p) => p.outcome === 'refused')?.ms).toBe(0.5);
  });

  it('when a report is named, then its timeline sits beside it', () => {
    expect(timelinePath('reports/20261123T074209-dd339a.json')).toBe(
      'reports/20261123T074209-dd339a.timeline.svg',
    );
  });
});
