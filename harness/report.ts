import { percentile } from '../support/stats';
import { redact } from '../support/urls';
import { LOST_UPDATE_KINDS } from './checker';
import type { FaultRecord } from './faults/types';
import { orderHistory } from './history';
import type { HarnessOptions } from './options';
import type { Crash } from './procs/instances';
import type { CouponRound } from './workload/coupons';
import type { FlashObservation, Observation, RequestRecord, SaleProbe, Violation } from './types';

export interface ActionStats {
  sent: number;
  ok: number;
  rejected: number;
  unknown: number;
  refused: number;
  p50Ms: number;
  p99Ms: number;
}

export interface Report {
  runId: string;
  startedAt: string;
  finishedAt: string;
  options: HarnessOptions;
  /** The Redis the instances ran on, e.g. the harness's private cluster and its nodes. */
  redis: string;
  workloadSeconds: number;
  requests: ActionStats;
  /** Recorded requests per second of workload. */
  throughput: number;
  maxLatencyMs: number;
  actions: Record<string, ActionStats>;
  /** Non-2xx answers by problem code (or status), network errors by name. */
  errors: Record<string, number>;
  faults: { counts: Record<string, number>; log: FaultRecord[] };
  flash: FlashObservation[];
  /** Time to sell again after each fault that may leave the stock gate wrong. */
  probes: SaleProbe[];
  /** The coupon storms, and the claims by state at the end (guarantee 11). */
  coupons: { rounds: CouponRound[]; claimsByState: Record<string, number>; orders: number };
  /** The events feed, what the webhook receiver got and the gifts issued (guarantees 9-10). */
  events: {
    feed: number;
    deliveries: number;
    /** Distinct events delivered, and deliveries answered 2xx, 500 or not in time. */
    delivered: number;
    acknowledged: number;
    failed: number;
    hung: number;
    pendingAtEnd: number;
    gifts: number;
  };
  orders: {
    total: number;
    byStatus: Record<string, number>;
    events: number;
    eventsByType: Record<string, number>;
  };
  /** Every recorded request, one JSON object a line. */
  historyFile: string;
  /** The run drawn as SVG (latency over time by outcome, the faults); absent if not drawn. */
  timelineFile?: string;
  /** Instance exits the harness did not cause. */
  crashes: Crash[];
  violations: Violation[];
  violationCounts: Record<string, number>;
  /** Orders where a stale write went through (see LOST_UPDATE_KINDS). */
  lostUpdateOrders: string[];
  /** The full history (requests and events) of each order with a violation (at most 50). */
  histories: Record<string, string[]>;
  ok: boolean;
}

function eventsSummary(observation: Observation): Report['events'] {
  const deliveries = observation.webhooks?.deliveries ?? [];
  const feed = [...(observation.feed?.byMerchant.values() ?? [])];
  return {
    feed: feed.reduce((n, events) => n + events.length, 0),
    deliveries: deliveries.length,
    delivered: new Set(deliveries.map((d) => `${d.merchantId} ${d.webhookId}`)).size,
    acknowledged: deliveries.filter((d) => d.answered >= 200 && d.answered < 300).length,
    failed: deliveries.filter((d) => d.answered >= 300).length,
    hung: deliveries.filter((d) => d.answered === 0).length,
    pendingAtEnd: observation.webhooks?.pending ?? 0,
    gifts: observation.gifts.reduce((n, g) => n + g.quantity, 0),
  };
}

function countBy(keys: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of keys) out[k] = (out[k] ?? 0) + 1;
  return out;
}

const tenths = (ms: number): number => Math.round(ms * 10) / 10;

function statsOf(records: readonly RequestRecord[]): ActionStats {
  const latencies = records
    .filter((r) => r.recvMs !== undefined && r.status !== undefined)
    .map((r) => (r.recvMs ?? 0) - r.sentMs)
    .sort((a, b) => a - b);
  const count = (o: RequestRecord['outcome']) => records.filter((r) => r.outcome === o).length;
  return {
    sent: records.length,
    ok: count('ok'),
    rejected: count('rejected'),
    unknown: count('unknown'),
    refused: count('refused'),
    p50Ms: tenths(percentile(latencies, 50)),
    p99Ms: tenths(percentile(latencies, 99)),
  };
}

export function buildReport(input: {
  runId: string;
  startedAt: Date;
  options: HarnessOptions;
  workloadMs: number;
  records: readonly RequestRecord[];
  faults: FaultRecord[];
  observation: Observation;
  coupons: CouponRound[];
  crashes: Crash[];
  violations: Violation[];
  historyFile: string;
  redis: string;
}): Report {
  const { records, observation, violations } = input;
  const actions: Record<string, ActionStats> = {};
  for (const kind of new Set(records.map((r) => r.kind))) {
    actions[kind] = statsOf(records.filter((r) => r.kind === kind));
  }
  const errors: Record<string, number> = {};
  for (const r of records) {
    if (r.outcome === 'ok') continue;
    const key =
      r.code ?? (r.status !== undefined ? `http_${r.status}` : `network:${r.error ?? '?'}`);
    errors[key] = (errors[key] ?? 0) + 1;
  }
  const faultCounts: Record<string, number> = {};
  for (const f of input.faults) faultCounts[f.fault] = (faultCounts[f.fault] ?? 0) + 1;
  const byStatus: Record<string, number> = {};
  for (const o of observation.orders) byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
  const eventsByType: Record<string, number> = {};
  for (const events of observation.dbEvents.values()) {
    for (const e of events) eventsByType[e.type] = (eventsByType[e.type] ?? 0) + 1;
  }
  const violationCounts: Record<string, number> = {};
  for (const v of violations) {
    const key = `${v.guarantee}:${v.kind}`;
    violationCounts[key] = (violationCounts[key] ?? 0) + 1;
  }
  const histories: Record<string, string[]> = {};
  for (const id of new Set(violations.map((v) => v.orderId).filter((x): x is string => !!x))) {
    if (Object.keys(histories).length >= 50) break;
    const events = observation.apiEvents.get(id) ?? observation.dbEvents.get(id) ?? [];
    histories[id] = orderHistory(
      records.filter((r) => r.orderId === id),
      events,
    );
  }
  const latencies = records
    .filter((r) => r.status !== undefined)
    .map((r) => (r.recvMs ?? 0) - r.sentMs);
  return {
    runId: input.runId,
    startedAt: input.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    // The seed is in here: `--seed <options.seed>` repeats the run's random choices.
    options: {
      ...input.options,
      databaseUrl: redact(input.options.databaseUrl),
      redisUrl: redact(input.options.redisUrl),
    },
    redis: input.redis,
    workloadSeconds: Math.round(input.workloadMs / 100) / 10,
    requests: statsOf(records),
    throughput: Math.round((records.length / Math.max(1, input.workloadMs)) * 10_000) / 10,
    maxLatencyMs: Math.round(latencies.reduce((m, x) => Math.max(m, x), 0)),
    actions,
    errors,
    faults: { counts: faultCounts, log: input.faults },
    flash: observation.flash,
    probes: observation.probes,
    coupons: {
      rounds: input.coupons,
      claimsByState: countBy(observation.claims.map((c) => c.state)),
      orders: observation.orders.filter((o) => o.couponId !== null).length,
    },
    events: eventsSummary(observation),
    orders: {
      total: observation.orders.length,
      byStatus,
      events: [...observation.dbEvents.values()].reduce((s, e) => s + e.length, 0),
      eventsByType,
    },
    historyFile: input.historyFile,
    crashes: input.crashes,
    violations,
    violationCounts,
    lostUpdateOrders: [
      ...new Set(
        violations
          .filter((v) => LOST_UPDATE_KINDS.has(v.kind))
          .flatMap((v) => (v.orderId ? [v.orderId] : [])),
      ),
    ],
    histories,
    ok: violations.length === 0,
  };
}
