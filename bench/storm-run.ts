import type { Db } from '../src/db/knex';
import { runStorm, type Answer } from './storm-load';
import { countsSince, gateDecisions } from './gate-metrics';
import type { Instance } from './instances';
import { XactCounter, type XactReading } from './pg-xacts';
import { latencySpread, type StormRep, type StormShape } from './scenarios/storm-figures';

/**
 * Back-to-back counting windows: each storm's window starts at the settled reading that
 * ended the previous one, so one settling wait per storm suffices; what the bench itself
 * runs in between (the product or coupon, the check) is counted as its own and taken out.
 */
export class Windows {
  private last: XactReading | undefined;

  constructor(readonly counter: XactCounter) {}

  async start(): Promise<XactReading> {
    this.last ??= await this.counter.settled();
    return this.last;
  }

  async end(): Promise<XactReading> {
    this.last = await this.counter.settled();
    return this.last;
  }
}

/** Where a storm runs: the set's database, its counting windows, its merchant. */
export interface StormSite {
  db: Db;
  windows: Windows;
  merchantId: string;
}

/** What a storm contests (a product on sale, a coupon) and how its answers are read. */
export interface StormTarget<R extends StormRep> {
  /** Creates the thing in one transaction of the site's database; returns its id. */
  create: (site: StormSite, shape: StormShape) => Promise<string>;
  /** The request every buyer POSTs for it. */
  request: (id: string) => { path: string; body: string };
  /** The instances' gate decision counter (`/metrics`). */
  metric: string;
  /** The set the gates' reconciler visits (member `<merchant>/<id>`) and a thing's keys. */
  gated: { set: string; keys: (merchantId: string, id: string) => string[] };
  /** The losers' problem code. */
  loserCode: string;
  /** Reads the database afterwards in one statement and completes the repetition. */
  check: (site: StormSite, rep: StormRep) => Promise<R>;
}

/** One storm: a fresh thing to win, its buyers' answers, the database's count afterwards. */
export async function storm<R extends StormRep>(
  site: StormSite,
  instances: Instance[],
  tokens: readonly string[],
  shape: StormShape,
  target: StormTarget<R>,
): Promise<R> {
  const before = await site.windows.start();
  site.windows.counter.own();
  const id = await target.create(site, shape);
  const urls = instances.map((i) => i.url);
  const decided = await gateDecisions(urls, target.metric);
  const { answers, wallMs } = await runStorm({
    urls,
    tokens: tokens.slice(0, shape.buyers),
    ...target.request(id),
    inFlight: shape.inFlight,
    timeoutMs: 30_000,
  });
  const gate = countsSince(decided, await gateDecisions(urls, target.metric));
  const after = await site.windows.end();
  site.windows.counter.own();
  const xacts = XactCounter.between(before, after);
  const answered = summarise(answers, target.loserCode);
  return target.check(site, {
    ...answered,
    id,
    buyers: answers.length,
    supply: shape.supply,
    wallMs,
    answeredPerSec: answered.answered / (wallMs / 1000),
    gate,
    xactsRaw: xacts,
    xactWindowMs: after.atMs - before.atMs,
    xactsNet: xacts,
    xactsPerWin: xacts / Math.max(1, answered.won),
  });
}

/** The instances' transactions per second while no storm runs (both sets, no load). */
export async function idleRate(windows: Windows, windowMs: number): Promise<number> {
  const from = await windows.start();
  await new Promise((r) => setTimeout(r, windowMs));
  const to = await windows.end();
  return Math.max(0, XactCounter.between(from, to)) / ((to.atMs - from.atMs) / 1000);
}

/** Takes the idle transactions of the rep's window out of its count. */
export function net(rep: StormRep, idlePerSec: number): void {
  rep.xactsNet = rep.xactsRaw - idlePerSec * (rep.xactWindowMs / 1000);
  rep.xactsPerWin = rep.xactsNet / Math.max(1, rep.won);
}

function summarise(answers: Answer[], loserCode: string) {
  const codes: Record<string, number> = {};
  for (const a of answers) {
    const key = a.status === 201 ? '201' : `${a.status} ${a.code ?? ''}`;
    codes[key] = (codes[key] ?? 0) + 1;
  }
  const winners = answers.filter((a) => a.status === 201);
  const losers = answers.filter((a) => a.code === loserCode);
  return {
    answered: answers.filter((a) => a.status !== 0).length,
    codes,
    winners: latencySpread(winners.map((a) => a.ms)),
    losers: latencySpread(losers.map((a) => a.ms)),
    won: winners.length,
  };
}
