// The concurrency harness on a Redis Cluster of its own (--redis-cluster): six private
// redis-servers on free ports (never the local cluster's 7101-7106), failovers of the
// primaries that hold live keys and moves of their slots, with kills and pauses of the
// instances. In the cluster project (REDIS_CLUSTER_NODES set) because it belongs with the
// other cluster tests and runs alone: six more servers and three instances load the machine.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Report } from '../../harness/report';

const root = path.resolve(__dirname, '../..');
const SEED = '20261123';

/** Runs the harness CLI against the test database and returns its exit code, report and output. */
async function harness(args: string[]): Promise<{ code: number; report: Report; output: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'harness-cluster-test-'));
  const reportPath = path.join(dir, 'report.json');
  try {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'harness/main.ts',
        '--database-url',
        process.env.DATABASE_URL ?? '',
        '--own-database',
        '--seed',
        SEED,
        '--report',
        reportPath,
        ...args,
      ],
      { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    let report: Report;
    try {
      report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    } catch {
      throw new Error(`the harness wrote no report (exit ${code}):\n${output}`);
    }
    return { code, report, output };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the concurrency harness on a Redis Cluster of its own', () => {
  it('when primaries fail over and slots move while instances are killed and paused, then guarantees 1-11 hold', async () => {
    const { code, report, output } = await harness([
      '--redis-cluster',
      '--faults',
      'failover,reshard,kill,pause',
      // Sooner than the defaults (12 s, 8 s), so that a short run has both.
      '--fault-period',
      'failover=9000',
      '--fault-period',
      'reshard=6000',
      '--seconds',
      '30',
      '--concurrency',
      '8',
      '--quiet',
    ]);
    expect(report.violations).toEqual([]);
    expect(code).toBe(0);
    expect(report.redis).toMatch(/private Redis Cluster of 6 nodes/);
    expect(report.redis).not.toMatch(/:710[1-6]\b/);
    expect(report.faults.counts.failover ?? 0).toBeGreaterThan(0);
    expect(report.faults.counts.reshard ?? 0).toBeGreaterThan(0);
    expect(report.faults.log.filter((f) => f.detail.includes('failed'))).toEqual([]);
    // A failover promoted a replica; a reshard moved keys.
    const details = report.faults.log.map((f) => f.detail);
    expect(details.some((d) => /^failover#\d+: .* promoted after \d+ ms/.test(d))).toBe(true);
    expect(details.some((d) => /^reshard#\d+: slot \d+ .* moved :\d+ -> :\d+/.test(d))).toBe(true);
    expect(report.crashes).toEqual([]);
    expect(report.requests.ok).toBeGreaterThan(200);
    expect(output).toContain('violations: none');
    expect(output).toContain('redis: private Redis Cluster');
  }, 150_000);
});
