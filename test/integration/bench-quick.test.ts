import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The quick bench (one repetition) takes about 30 s alone; on 2 shared cores with other
// tests, more.
jest.setTimeout(200_000);

const ROOT = path.resolve(__dirname, '../..');
const SCENARIOS = [
  'uncontended',
  'hot-order',
  'hot-and-cold',
  'lock-cycles',
  'lock-commands',
  'http',
  'flash-sale',
  'claim-storm',
  'events',
];

describe('npm run bench -- --quick', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-quick-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when run on the test servers, then it completes and writes every scenario with figures, and the charts', async () => {
    const out = path.join(dir, 'result.json');
    // The test database and Redis database 1 (jest.config.js), never the dev data; no Markdown.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'bench/main.ts',
        '--quick',
        // One repetition: this test checks that every scenario runs and reports figures,
        // not their spread; three took ~115 s of the suite's ~150 s on 2 shared cores.
        '--reps',
        '1',
        '--no-markdown',
        '--out',
        out,
        '--charts',
        dir,
        '--database-url',
        process.env.DATABASE_URL ?? '',
        '--redis-url',
        process.env.REDIS_URL ?? '',
      ],
      { cwd: ROOT, env: { ...process.env, NODE_ENV: 'test' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.stdout.resume();
    const [code] = (await once(child, 'exit')) as [number | null];
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });

    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result).toMatchObject({ schema: 1, mode: 'quick' });
    expect(result.machine.cores).toBeGreaterThan(0);
    expect(result.scenarios.map((s: { id: string }) => s.id)).toEqual(SCENARIOS);
    for (const scenario of result.scenarios) {
      expect(scenario.figures.length).toBeGreaterThan(0);
      for (const figure of scenario.figures) {
        expect({
          id: scenario.id,
          measure: figure.measure,
          positive: figure.candidate > 0,
        }).toEqual({ id: scenario.id, measure: figure.measure, positive: true });
        if (figure.baseline !== undefined) expect(figure.baseline).toBeGreaterThan(0);
      }
    }
    for (const chart of ['throughput.svg', 'latency.svg']) {
      const svg = readFileSync(path.join(dir, chart), 'utf8');
      expect({ chart, svg: /^<svg [^]*<\/svg>\n$/.test(svg) }).toEqual({ chart, svg: true });
    }
    expect(readFileSync(path.join(dir, 'latency.svg'), 'utf8')).toContain('hot-and-cold');
  });
});
