import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { allFaults } from '../../harness/faults/types';
import type { Report } from '../../harness/report';

const root = path.resolve(__dirname, '../..');
/** One seed: every run makes the same random choices (timing still varies). */
const SEED = '20261123';

/**
 * Runs the harness CLI against the test database (the jest config's DATABASE_URL) and
 * returns its exit code, its report and its output.
 */
async function harness(args: string[]): Promise<{ code: number; report: Report; output: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'harness-test-'));
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
        // A database of its own: its instances' payment-expiry sweepers expire every
        // overdue order of their database, and other test files' orders are in the shared one.
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

/** Every fault of a run on one Redis (failover and reshard need --redis-cluster). */
const FAULTS = allFaults(false);

describe('the concurrency harness', () => {
  it('when every fault is injected on three instances, then guarantees 1-11 hold', async () => {
    const { code, report, output } = await harness([
      '--faults',
      FAULTS.join(','),
      '--seconds',
      '40',
      '--concurrency',
      '10',
      '--quiet',
    ]);
    expect(report.violations).toEqual([]);
    expect(code).toBe(0);
    // The run did what it says: every fault happened, and some requests met them.
    for (const fault of FAULTS) {
      expect(report.faults.counts[fault] ?? 0).toBeGreaterThan(0);
    }
    expect(report.faults.log.filter((f) => f.detail.includes('failed'))).toEqual([]);
    expect(report.crashes).toEqual([]);
    expect(report.requests.ok).toBeGreaterThan(500);
    expect(report.requests.unknown + report.requests.refused).toBeGreaterThan(0);
    expect(report.orders.byStatus.cancelled ?? 0).toBeGreaterThan(0);
    expect(report.flash.length).toBeGreaterThan(0);
    // Flash sales with a limit per buyer and a sale start, whose buyers ask for more.
    expect(report.flash.some((f) => f.perBuyerLimit !== null)).toBe(true);
    expect(report.errors.purchase_limit_exceeded ?? 0).toBeGreaterThan(0);
    // After Redis lost its data and after a kill between the gate and the database,
    // products sold again (the checker holds each to 5 s).
    expect(report.probes.length).toBeGreaterThan(0);
    // Coupon storms with losers and orders that used the claims; webhooks that failed and
    // were retried; gifts.
    expect(report.coupons.rounds.length).toBeGreaterThan(0);
    expect(report.errors.coupon_sold_out ?? 0).toBeGreaterThan(0);
    expect(report.coupons.orders).toBeGreaterThan(0);
    expect(report.events.feed).toBe(report.orders.events);
    expect(report.events.failed + report.events.hung).toBeGreaterThan(0);
    expect(report.events.gifts).toBeGreaterThan(0);
    expect(output).toContain('violations: none');
  }, 150_000);

  describe('can it see', () => {
    // Few clients, so that the designed episodes are not slowed down by the workload.
    const args = [
      '--faults',
      'pause',
      '--seconds',
      '15',
      '--concurrency',
      '3',
      '--fault-period',
      'pause=2800',
      // Its own Redis too: the sweepers' job lock is one key for every instance of a Redis.
      '--private-redis',
      '--quiet',
    ];

    it('when the instances skip the version check, then paused writers make lost updates and the harness reports them', async () => {
      const { code, report, output } = await harness([...args, '--disable-version-check']);
      expect(code).toBe(1);
      const designed = report.faults.log.filter(
        (f) => f.designed === true && f.orderId !== undefined,
      );
      const caught = designed.filter((f) => report.lostUpdateOrders.includes(f.orderId ?? ''));
      expect(designed.length).toBeGreaterThanOrEqual(3);
      // Each designed episode is built to end in a lost update; allow for a slow machine.
      expect(caught.length * 2).toBeGreaterThanOrEqual(designed.length);
      expect(report.lostUpdateOrders.length).toBeGreaterThan(0);
      expect(output).toMatch(/VIOLATIONS: \d+/);
    }, 120_000);

    it('when the same run keeps the version check, then it reports no violation', async () => {
      const { code, report } = await harness(args);
      expect(report.violations).toEqual([]);
      expect(code).toBe(0);
      expect(report.faults.log.filter((f) => f.designed === true).length).toBeGreaterThanOrEqual(3);
    }, 120_000);
  });
});
