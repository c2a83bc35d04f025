import { figure, type Figure } from '../scenario';
import { spreadOf, type Spread } from '../stats';

/** How big a storm is (a flash sale, a claim storm). */
export interface StormShape {
  /** Buyers, each sending one request. */
  buyers: number;
  /** What there is to win: units of the product, coupons of the campaign. */
  supply: number;
  /** Requests in flight at once, over all instances. */
  inFlight: number;
  instances: number;
}

/** Latency summary of one group of answers (ms). */
export interface LatencySpread extends Spread {
  count: number;
}

/** One storm as measured, whatever was contested. */
export interface StormRep {
  /** The product or coupon. */
  id: string;
  buyers: number;
  supply: number;
  /** Requests that got an HTTP answer (any status). */
  answered: number;
  /** From the first request to the last answer. */
  wallMs: number;
  answeredPerSec: number;
  /** Answers by `status code`, e.g. `201`, `409 out_of_stock`, `0 network`. */
  codes: Record<string, number>;
  /** The gates' decisions during the storm (taken, refused, skipped: Redis failed). */
  gate: Record<string, number>;
  /** 201 answers. */
  winners: LatencySpread;
  /** Answers with the losers' code (out_of_stock, coupon_sold_out). */
  losers: LatencySpread;
  /** 201 answers (units sold, claims made). */
  won: number;
  /** Transactions of the database in the storm's window, the bench's readings taken out. */
  xactsRaw: number;
  xactWindowMs: number;
  /** xactsRaw less the idle rate over the window. */
  xactsNet: number;
  /** xactsNet / won. */
  xactsPerWin: number;
}

/** How a storm's figures name things: `orders` answered, `units sold`, `unit sold`. */
export interface StormWords {
  answers: string;
  loserCode: string;
  won: string;
  perWin: string;
}

export function latencySpread(ms: readonly number[]): LatencySpread {
  return { count: ms.length, ...spreadOf(ms) };
}

const TX_PER_WIN_TARGET = 1.1;

/** The table's rows: throughput and losers' p99 as ratios, transactions per win. */
export function stormFigures(gate: StormRep[], plain: StormRep[], words: StormWords): Figure[] {
  const of = (reps: StormRep[], pick: (r: StormRep) => number) => reps.map(pick);
  const both = (measure: string, unit: string, pick: (r: StormRep) => number) =>
    figure(measure, unit, of(gate, pick), of(plain, pick));
  const perWin = both(`PostgreSQL transactions / ${words.perWin}, net`, 'tx', (r) => r.xactsPerWin);
  return [
    figure(
      `${words.answers} answered`,
      'answers/s',
      of(gate, (r) => r.answeredPerSec),
      of(plain, (r) => r.answeredPerSec),
      { text: 'ratio >= 3', met: (ratio) => ratio >= 3 },
    ),
    both(`losers' (${words.loserCode}) latency p50`, 'ms', (r) => r.losers.p50),
    both("losers' latency p90", 'ms', (r) => r.losers.p90),
    figure(
      "losers' latency p99",
      'ms',
      of(gate, (r) => r.losers.p99),
      of(plain, (r) => r.losers.p99),
      { text: 'ratio <= 0.2', met: (ratio) => ratio <= 0.2 },
    ),
    both("losers' latency max", 'ms', (r) => r.losers.max),
    both("winners' latency p50", 'ms', (r) => r.winners.p50),
    both("winners' latency p99", 'ms', (r) => r.winners.p99),
    both('wall time', 'ms', (r) => r.wallMs),
    both(words.won, 'count', (r) => r.won),
    both('PostgreSQL transactions, raw', 'tx', (r) => r.xactsRaw),
    both('PostgreSQL transactions, net of idle', 'tx', (r) => r.xactsNet),
    {
      ...perWin,
      target: `coordinator <= ${TX_PER_WIN_TARGET}`,
      // Not met when the idle rate taken out exceeds what was counted: then the storm's
      // own transactions are lost in the background's, and the net count says nothing.
      met: perWin.candidate > 0 && perWin.candidate <= TX_PER_WIN_TARGET,
    },
  ];
}

/** One progress line per storm; `problem` flags a failed check of the database. */
export function describeStorm(r: StormRep, problem: string | undefined): string {
  return (
    `${r.answeredPerSec.toFixed(0)} answers/s in ${(r.wallMs / 1000).toFixed(1)} s, ` +
    `won ${r.won}/${r.supply}, losers p50 ${r.losers.p50.toFixed(0)} ms p99 ` +
    `${r.losers.p99.toFixed(0)} ms, ${r.xactsRaw} PostgreSQL transactions, ` +
    `${JSON.stringify(r.codes)}, gate ${JSON.stringify(r.gate)}${problem ? ` ${problem}` : ''}`
  );
}

/** The notes every storm shares: rate limits, how transactions are counted, the load generator. */
export function stormNotes(
  gate: StormRep[],
  plain: StormRep[],
  idle: [gate: number, plain: number],
): string[] {
  const rateLimited = [...gate, ...plain].reduce(
    (n, r) => n + (r.codes['429 rate_limited'] ?? 0),
    0,
  );
  return [
    `${rateLimited} answers rate-limited (limits at their defaults).`,
    "PostgreSQL transactions: pg_stat_database's xact_commit + xact_rollback of each " +
      "set's own database, around the storm once every backend has reported, less the " +
      "bench's own statements and the set's idle rate over the window " +
      `(${idle[0].toFixed(2)}/s with the gates: their reconciler; ${idle[1].toFixed(2)}/s without).`,
    'The load generator runs in the bench process on the same machine as the instances.',
  ];
}
