import { figure, type Figure } from '../scenario';
import { median } from '../stats';
import { latencySpread, type LatencySpread } from './storm-figures';

/** One run of the events scenario. */
export interface EventsRep {
  /** REPRICEs committed, and per second of the run. */
  transitions: number;
  transitionsPerSec: number;
  /** The run's events read from the stream, and their relay lag (ms). */
  relayed: number;
  relayLag: LatencySpread;
  /** Relay lag of the events decided in the run's first and last third. */
  relayLagFirst: LatencySpread;
  relayLagLast: LatencySpread;
  /** The run's events the receiver got (one per webhook-id), per second, and their lag. */
  delivered: number;
  deliveriesPerSec: number;
  deliveryLag: LatencySpread;
}

/** Lag "does not grow": the last third's p99 within 1.5 x the first third's, or 50 ms. */
const grows = (first: number, last: number): boolean => last > Math.max(1.5 * first, first + 50);
const LAG_TARGET_MS = 500;

/** Summarises one run from its arrivals' lags (ms). */
export function eventsRep(
  transitions: number,
  runMs: number,
  lags: { relay: number[]; first: number[]; last: number[]; delivery: number[] },
  deliveryWindowMs: number,
): EventsRep {
  return {
    transitions,
    transitionsPerSec: transitions / (runMs / 1000),
    relayed: lags.relay.length,
    relayLag: latencySpread(lags.relay),
    relayLagFirst: latencySpread(lags.first),
    relayLagLast: latencySpread(lags.last),
    delivered: lags.delivery.length,
    deliveriesPerSec: lags.delivery.length / (deliveryWindowMs / 1000),
    deliveryLag: latencySpread(lags.delivery),
  };
}

export function eventsFigures(reps: EventsRep[]): Figure[] {
  const of = (pick: (r: EventsRep) => number) => median(reps.map(pick));
  const one = (measure: string, unit: string, pick: (r: EventsRep) => number): Figure => ({
    measure,
    unit,
    candidate: of(pick),
  });
  const p99 = of((r) => r.relayLag.p99);
  const first = reps.map((r) => r.relayLagFirst.p99);
  const last = reps.map((r) => r.relayLagLast.p99);
  const growth = figure('relay lag p99, last third vs first third of the run', 'ms', last, first);
  return [
    one('transitions committed', 'tx/s', (r) => r.transitionsPerSec),
    one(
      'events on the stream / transitions',
      'ratio',
      (r) => r.relayed / Math.max(1, r.transitions),
    ),
    one('relay lag p50', 'ms', (r) => r.relayLag.p50),
    {
      ...one('relay lag p99', 'ms', (r) => r.relayLag.p99),
      target: `<= ${LAG_TARGET_MS} ms`,
      met: p99 <= LAG_TARGET_MS,
    },
    one('relay lag max', 'ms', (r) => r.relayLag.max),
    {
      ...growth,
      target: 'last <= max(1.5 x first, first + 50 ms) in every run',
      met: reps.every((r) => !grows(r.relayLagFirst.p99, r.relayLagLast.p99)),
    },
    one('webhook deliveries', 'deliveries/s', (r) => r.deliveriesPerSec),
    one(
      'webhooks received / transitions',
      'ratio',
      (r) => r.delivered / Math.max(1, r.transitions),
    ),
    one('webhook lag p50 (event to receiver)', 'ms', (r) => r.deliveryLag.p50),
    one('webhook lag p99', 'ms', (r) => r.deliveryLag.p99),
  ];
}

export function describeEventsRep(r: EventsRep): string {
  return (
    `${r.transitionsPerSec.toFixed(0)} tx/s, ${r.relayed}/${r.transitions} on the stream, ` +
    `relay lag p50 ${r.relayLag.p50.toFixed(0)} ms p99 ${r.relayLag.p99.toFixed(0)} ms ` +
    `(first third p99 ${r.relayLagFirst.p99.toFixed(0)}, last ${r.relayLagLast.p99.toFixed(0)}), ` +
    `${r.delivered} webhooks at ${r.deliveriesPerSec.toFixed(0)}/s, lag p99 ${r.deliveryLag.p99.toFixed(0)} ms`
  );
}
