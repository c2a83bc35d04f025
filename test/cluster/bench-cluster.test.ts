// The bench's cluster scenario (issue 13): the coordinator with its lock on the local
// Redis Cluster against the same coordinator on one Redis, in one run. Only in the
// cluster project (REDIS_CLUSTER_NODES set); quick mode, one repetition: this checks that
// the scenario runs on a real cluster and reports both sides, not their figures.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');

/** The part of the bench's result this test reads. */
interface ScenarioResult {
  id: string;
  figures: { measure: string; candidate: number; baseline: number; ratio: number }[];
  reps: Record<string, { failed: number }[]>;
  notes: string[];
}

async function bench(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/main.ts',
      '--quick',
      '--reps',
      '1',
      '--no-markdown',
      '--database-url',
      process.env.DATABASE_URL ?? '',
      '--redis-url',
      process.env.REDIS_URL ?? '',
      ...args,
    ],
    { cwd: ROOT, env: { ...env, NODE_ENV: 'test' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.stdout.resume();
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

describe('npm run bench -- --only cluster', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-cluster-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when given the cluster, then both sides run and every figure has a ratio', async () => {
    const out = path.join(dir, 'result.json');
    const nodes = process.env.REDIS_CLUSTER_NODES ?? '';
    const { REDIS_CLUSTER_NODES: _unset, ...env } = process.env;
    void _unset;
    const run = await bench(['--only', 'cluster', '--out', out, '--redis-cluster', nodes], env);
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    const result = JSON.parse(readFileSync(out, 'utf8')) as { scenarios: ScenarioResult[] };
    expect(result.scenarios.map((s) => s.id)).toEqual(['cluster']);
    const scenario = result.scenarios[0] as ScenarioResult;
    expect(Object.keys(scenario.reps)).toEqual([
      'uncontended, Redis Cluster',
      'uncontended, one Redis',
      'hot order, Redis Cluster',
      'hot order, one Redis',
    ]);
    expect(scenario.figures).toHaveLength(6);
    for (const f of scenario.figures) {
      expect({
        measure: f.measure,
        both: f.candidate > 0 && f.baseline > 0 && f.ratio > 0,
      }).toEqual({ measure: f.measure, both: true });
    }
    // No transition failed on either side.
    for (const reps of Object.values(scenario.reps)) {
      expect(reps.map((r) => r.failed)).toEqual([0]);
    }
    expect(scenario.notes.join(' ')).toContain(nodes);
  });

  it('when asked for it without a cluster, then it stops and says what it needs', async () => {
    const { REDIS_CLUSTER_NODES: _unset, ...env } = process.env;
    void _unset;
    const run = await bench(['--only', 'cluster', '--out', path.join(dir, 'none.json')], env);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('needs --redis-cluster');
  });
});
