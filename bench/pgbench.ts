// The physical limit of this machine for one transition: PostgreSQL's commit rate for
// the statement shape a transition writes (update the order with its version check,
// insert its event, one statement, one commit), measured by pgbench in a scratch
// database with the project's migrations. Run: npm run bench:pgbench
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import knex from 'knex';
import { loadConfig } from '../src/config';
import { createScratchDatabase } from '../support/database';
import { runCli } from '../support/cli';

const run = promisify(execFile);
const ORDERS = 64;

/** A REPRICE as writeTransition writes it: the version-checked update and the event. */
const TRANSITION = `\\set n random(1, ${ORDERS})
with o as (select id from bench_orders where n = :n),
updated as (
  update orders set total_cents = 1000 + (version % 2) * 100, version = version + 1,
    machine_state = machine_state, updated_at = now()
  where id = (select id from o) and version = (select version from orders where id = (select id from o))
  returning id, version
)
insert into order_events (order_id, seq, version, type, from_status, to_status, actor_role, actor_id, data)
select u.id, u.version, u.version, 'REPRICE', 'pending_payment', 'pending_payment', 'merchant', 'bench',
  jsonb_build_object('totalCents', 1000)
from updated u;
`;

async function pgbench(url: URL, script: string, clients: number, seconds: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'pgbench-'));
  try {
    const file = path.join(dir, 'transition.sql');
    writeFileSync(file, script);
    const bin = (
      await run('bash', ['-c', 'ls /usr/lib/postgresql/*/bin/pgbench | tail -1'])
    ).stdout.trim();
    const { stdout } = await run(
      bin,
      [
        '-n',
        '-M',
        'prepared',
        '-c',
        String(clients),
        '-j',
        '2',
        '-T',
        String(seconds),
        '-f',
        file,
        '-h',
        url.hostname,
        '-p',
        url.port,
        '-U',
        decodeURIComponent(url.username),
        url.pathname.slice(1),
      ],
      { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } },
    );
    const tps = /tps = ([\d.]+)/.exec(stdout)?.[1];
    const latency = /latency average = ([\d.]+) ms/.exec(stdout)?.[1];
    return { clients, tps: Number(tps), latencyMs: Number(latency) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const scratch = await createScratchDatabase(config.DATABASE_URL, 'pgbench');
  try {
    const db = knex({ client: 'pg', connection: scratch.url, pool: { min: 0, max: 1 } });
    try {
      await db.raw(`create table bench_orders (n int primary key, id uuid not null)`);
      await db.raw(
        `insert into orders (id, buyer_id, merchant_id, status, machine_state, machine_version,
           total_cents, currency, version, payment_due_at)
         select gen_random_uuid(), 'bench-buyer', 'bench-merchant', 'pending_payment', '{}',
           'bench', 1000, 'EUR', 1, now() + interval '1 day' from generate_series(1, ?)`,
        [ORDERS],
      );
      await db.raw(`insert into bench_orders select row_number() over (), id from orders`);
    } finally {
      await db.destroy();
    }
    const url = new URL(scratch.url);
    const seconds = Number(process.env.PGBENCH_SECONDS ?? 10);
    const results = [];
    for (const clients of [16, 32]) results.push(await pgbench(url, TRANSITION, clients, seconds));
    const hot = TRANSITION.replace(`random(1, ${ORDERS})`, 'random(1, 1)');
    results.push({ ...(await pgbench(url, hot, 32, seconds)), hot: true });
    console.log(
      JSON.stringify(
        { loadavg: (await run('cat', ['/proc/loadavg'])).stdout.trim(), results },
        null,
        2,
      ),
    );
  } finally {
    await scratch.drop();
  }
}

runCli(main);
