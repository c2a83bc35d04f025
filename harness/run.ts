import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { checkHistory } from './checker';
import { replayByMachine } from './checker/machine-replay';
import { FaultScheduler } from './faults/scheduler';
import { ApiClient } from './http/client';
import { Recorder } from './http/recorder';
import { backlogOf } from './backlog';
import { observe, pendingCount } from './observe';
import type { HarnessOptions } from './options';
import { ApiInstance } from './procs/instances';
import { freePort } from '../support/net';
import { pollUntil, sleep } from '../support/time';
import { note, Progress } from './progress';
import { buildReport, type Report } from './report';
import { writeHistory } from './history';
import { timelineBeside } from './timeline';
import { checkRequestDurations } from './checker/durations';
import {
  chooseRedis,
  eventsStreamOf,
  instanceEnv,
  WEBHOOK_TIMEOUT_MS,
  type RedisChoice,
} from './system';
import { readFeeds, settleWebhooks } from './observe-events';
import { registerWebhooks } from './webhooks/register';
import { WebhookReceiver } from './webhooks/receiver';
import { createScratchDatabase, migrateDatabase, type ScratchDatabase } from '../support/database';
import { redact } from '../support/urls';
import { idempotencyLeaseMs } from '../src/http/idempotency';
import type { FlashObservation, RequestRecord } from './types';
import { actorLoop, type Budget } from './workload/actors';
import { couponStorm, type CouponRound } from './workload/coupons';
import { flashSale } from './workload/flash';
import { Rng } from './workload/rng';
import { catalogue, principals } from './workload/setup';
import { World } from './workload/world';

/** How long the gifts consumer may take, at the end, to give the last paid orders their gifts. */
const GIFTS_GRACE_MS = 20_000;

/**
 * How long the relay, the consumers and the webhook senders may take, at the end, to
 * deliver every event (a delivery that failed during the run waits at most 2 s more).
 */
const WEBHOOKS_GRACE_MS = 60_000;

/** How long after its due time an unpaid order may still be pending at the end. */
const EXPIRY_GRACE_MS = 10_000;

export interface HarnessResult {
  report: Report;
  reportPath: string;
}

/**
 * One harness run: migrates the database, starts the API instances (and a private
 * Redis when it must be restarted), runs the workload with the selected faults, lets
 * the system settle, observes the database and the events API, checks the
 * guarantees 1-8 and writes the JSON report. Always stops what it started.
 * @throws Error when the system under test cannot be set up (migrations, start-up).
 */
export async function runHarness(given: HarnessOptions): Promise<HarnessResult> {
  const startedAt = new Date();
  const runId = `${startedAt.toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${randomBytes(3).toString('hex')}`;
  const verbose = !given.quiet;
  const reportPath = given.report ?? path.join(given.root, 'harness', 'reports', `${runId}.json`);
  const logDir = path.join(path.dirname(reportPath), `logs-${runId}`);
  const historyFile = reportPath.replace(/\.json$/, '') + '.history.jsonl';
  mkdirSync(logDir, { recursive: true });

  let scratch: ScratchDatabase | undefined;
  if (given.ownDatabase) {
    note(
      verbose,
      `run ${runId}: creating a database of its own next to ${redact(given.databaseUrl)}`,
    );
    scratch = await createScratchDatabase(given.databaseUrl, 'harness');
  } else {
    note(verbose, `run ${runId}: migrating ${redact(given.databaseUrl)}`);
    await migrateDatabase(given.databaseUrl);
  }
  // Everything below (instances, observation, report) uses the database the run is in.
  const options = { ...given, databaseUrl: scratch?.url ?? given.databaseUrl };
  const db = knex({
    client: 'pg',
    connection: { connectionString: options.databaseUrl, application_name: 'order-harness' },
    pool: { min: 0, max: 4 },
  });
  let redis: RedisChoice | undefined;
  const instances: ApiInstance[] = [];
  let receiver: WebhookReceiver | undefined;
  try {
    redis = await chooseRedis(options);
    const secret = randomBytes(32).toString('hex');
    const env = instanceEnv(options, redis, secret, runId);
    for (let i = 0; i < options.instances; i++) {
      instances.push(new ApiInstance(await freePort(), { root: options.root, env, logDir }));
    }
    note(
      verbose,
      `starting ${instances.length} API instances on ${instances.map((i) => i.port).join(', ')} (${redis.description})`,
    );
    await Promise.all(instances.map((i) => i.start()));
    receiver = await WebhookReceiver.start(new Recorder(), new Rng(options.seed + 1));
    const outcome = await drive(options, runId, secret, db, instances, redis, receiver, verbose);
    note(verbose, 'checking guarantees 1-11');
    const records = outcome.recorder.records;
    const violations = [
      ...checkHistory(records, outcome.observation, {
        replay: replayByMachine,
        expiryGraceMs: EXPIRY_GRACE_MS,
      }),
      ...checkRequestDurations(records, options),
    ];
    const report = buildReport({
      runId,
      startedAt,
      options,
      workloadMs: outcome.workloadMs,
      records: outcome.recorder.records,
      faults: outcome.faults,
      observation: outcome.observation,
      coupons: outcome.coupons,
      crashes: instances.flatMap((i) => i.crashes),
      violations,
      historyFile,
      redis: redis.description,
    });
    await writeHistory(historyFile, outcome.recorder.records);
    // What the webhook receiver got, one delivery a line (guarantee 9's evidence).
    await writeHistory(
      historyFile.replace(/\.history\.jsonl$/, '.webhooks.jsonl'),
      outcome.observation.webhooks?.deliveries ?? [],
    );
    const timelineFile = await timelineBeside(reportPath, report, outcome.recorder.records, (m) =>
      note(verbose, m),
    );
    const written = { ...report, ...(timelineFile !== undefined ? { timelineFile } : {}) };
    writeFileSync(reportPath, `${JSON.stringify(written, null, 2)}\n`);
    return { report: written, reportPath };
  } finally {
    await Promise.allSettled(instances.map((i) => i.stop()));
    await receiver?.close();
    await redis?.stop();
    await db.destroy();
    await scratch?.drop();
  }
}

async function drive(
  options: HarnessOptions,
  runId: string,
  secret: string,
  db: Knex,
  instances: ApiInstance[],
  redis: RedisChoice,
  receiver: WebhookReceiver,
  verbose: boolean,
) {
  const rng = new Rng(options.seed);
  const recorder = receiver.recorder;
  const client = new ApiClient(recorder, options.requestTimeoutMs);
  const who = await principals(secret, runId.slice(-6), options);
  const world = new World(rng, client, instances, who.admin);
  world.buyers = who.buyers;
  world.merchants = who.merchants;
  world.claimers = (
    await principals(secret, `${runId.slice(-6)}c`, { buyers: options.claimers, merchants: 0 })
  ).buyers;
  world.targetActive = Math.max(4, options.concurrency * 2);
  world.keyLeaseMs = idempotencyLeaseMs({
    LOCK_WAIT_MS: options.lockWaitMs,
    LOCK_TTL_MS: options.lockTtlMs,
  });
  await catalogue(world, options.productsPerMerchant, 100_000);
  const subscriptions = await registerWebhooks(world, receiver);

  const faults = new FaultScheduler(
    {
      world,
      instances,
      redis: redis.control,
      cluster: redis.cluster,
      redisTarget: redis.target,
      eventsStream: eventsStreamOf(runId),
      receiver,
      webhookTimeoutMs: WEBHOOK_TIMEOUT_MS,
      db,
      recorder,
      pauseMs: options.pauseMs,
      lockTtlMs: options.lockTtlMs,
      lockWaitMs: options.lockWaitMs,
      periods: options.periods,
      flashEveryMs:
        options.flashBuyers > 0 && options.flashEverySeconds > 0
          ? options.flashEverySeconds * 1000
          : undefined,
    },
    options.faults,
  );
  const t0 = recorder.now();
  const budget: Budget = {
    open: () =>
      recorder.records.length < options.ops && recorder.now() - t0 < options.seconds * 1000,
  };
  const progress = new Progress(() => {
    const s = ((recorder.now() - t0) / 1000).toFixed(1);
    return `harness: ${s}s/${options.seconds}s  requests ${recorder.records.length}  errors ${recorder.errors}  faults ${faults.log.length}  open orders ${world.activeCount()}`;
  }, verbose);
  progress.start();
  faults.start();
  const flash: FlashObservation[] = [];
  const flashLoop = async () => {
    for (let round = 1; budget.open() && options.flashBuyers > 0; round++) {
      flash.push(
        await flashSale(world, db, round, {
          stock: options.flashStock,
          buyers: options.flashBuyers,
        }),
      );
      if (options.flashEverySeconds === 0) return;
      await pollUntil(() => !budget.open(), options.flashEverySeconds * 1000, 200);
    }
  };
  const coupons: CouponRound[] = [];
  const couponLoop = async () => {
    for (let round = 1; budget.open() && options.couponEverySeconds > 0; round++) {
      await pollUntil(() => !budget.open(), options.couponEverySeconds * 1000, 200);
      if (budget.open()) coupons.push(await couponStorm(world, round));
    }
  };
  await Promise.all([
    flashLoop(),
    couponLoop(),
    ...Array.from({ length: options.concurrency }, () => actorLoop(world, budget)),
  ]);
  const workloadMs = recorder.now() - t0;
  await faults.stop();
  progress.stop();

  note(verbose, 'settling: every instance up, abandoned requests done, unpaid orders expired');
  await Promise.all(instances.map((i) => (i.running ? Promise.resolve() : i.start())));
  await sleep(abandonedUntil(recorder.records, options) - recorder.now());
  const merchantIds = world.merchants.map((m) => m.id);
  await pollUntil(
    async () => (await pendingCount(db, merchantIds)) === 0,
    options.paymentTtlSeconds * 1000 + EXPIRY_GRACE_MS + 2000,
    500,
  );
  note(verbose, 'settling: gifts issued');
  await pollUntil(async () => (await backlogOf(db, merchantIds)).gifts === 0, GIFTS_GRACE_MS, 500);
  note(verbose, 'settling: relay, consumers and webhook senders caught up');
  const webhooks = await settleWebhooks(db, subscriptions, receiver, WEBHOOKS_GRACE_MS);
  note(verbose, 'observing the database, the events API and the events feed');
  const feed = await readFeeds(client, world.merchants, () => world.port());
  const observation = await observe(db, client, who.admin, () => world.port(), merchantIds, {
    flash,
    probes: faults.probes,
    feed,
    webhooks,
  });
  return { recorder, observation, faults: faults.log, workloadMs, coupons };
}

/**
 * When the last request whose sender got no answer (a reset, a time-out) is surely over
 * on its server too: sent, then at most a lock wait and a test pause, plus 1 s. Every
 * other request ended before its answer, so with none of those there is nothing to wait for.
 */
function abandonedUntil(records: readonly RequestRecord[], options: HarnessOptions): number {
  let lastSentMs = -Infinity;
  for (const r of records) {
    if (r.status === undefined && r.outcome !== 'refused')
      lastSentMs = Math.max(lastSentMs, r.sentMs);
  }
  return lastSentMs + options.lockWaitMs + options.pauseMs + 1000;
}
