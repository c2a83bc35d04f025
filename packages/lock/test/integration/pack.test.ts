// The package as a user gets it: `npm pack`, installed into an empty folder with nothing
// of this repository around it, used against the real Redis.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const packageDir = path.resolve(__dirname, '../..');
const url = process.env.REDIS_URL ?? '';

/** A user's script: two managers, one waits for the other's lock, both use it once. */
const SCRIPT = `
const Redis = require('ioredis');
const { LockManager, LockBusyError, lockKey } = require('@order-coordinator/lock');
const options = { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 1000 };
(async () => {
  const [a, b] = [new Redis(process.argv[2], options), new Redis(process.argv[2], options)];
  await Promise.all([a, b].map((r) => new Promise((resolve) => r.once('ready', resolve))));
  const [first, second] = [new LockManager(a), new LockManager(b)];
  const key = lockKey('pack-check', String(process.pid) + '-' + Date.now());
  const order = [];
  const held = await first.acquire(key, { ttlMs: 5000, waitMs: 0 });
  const busy = await second.acquire(key, { ttlMs: 5000, waitMs: 0 }).catch((e) => e);
  const waiting = second.withLock(key, { ttlMs: 5000, waitMs: 5000 }, async () => order.push('second'));
  order.push('first');
  await held.release();
  await waiting;
  await Promise.all([first.close(), second.close()]);
  a.disconnect();
  b.disconnect();
  console.log(JSON.stringify({ order, busy: busy instanceof LockBusyError }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

describe('the packed package', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'lock-pack-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when npm pack is installed into an empty folder, then it holds what a user needs and a lock works there', async () => {
    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: packageDir,
    });
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as [
      { filename: string; files: { path: string }[] },
    ];
    const files = info.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'dist/index.js',
        'dist/index.d.ts',
        'dist/prometheus.js',
        'dist/lua/acquire.lua',
        'dist/lua/prelude.lua',
      ]),
    );
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);

    const app = path.join(dir, 'app');
    rmSync(app, { recursive: true, force: true });
    await run('mkdir', ['-p', app]);
    writeFileSync(path.join(app, 'package.json'), '{ "name": "app", "private": true }\n');
    writeFileSync(path.join(app, 'check.js'), SCRIPT);
    await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(dir, info.filename)],
      { cwd: app },
    );
    const { stdout } = await run(process.execPath, ['check.js', url], { cwd: app });
    expect(JSON.parse(stdout.trim())).toEqual({ order: ['first', 'second'], busy: true });
  }, 180_000);
});
