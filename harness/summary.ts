import { SELL_AGAIN_MS } from './checker/probes';
import { CLUSTER_FAULTS } from './faults/types';
import type { Report } from './report';

const list = (m: Record<string, number>): string =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

const cols = (values: (string | number)[], widths: number[]): string =>
  values.map((v, i) => String(v).padStart(widths[i] ?? 8)).join(' ');

/** The readable end-of-run summary; violations with their orders' histories (up to 10). */
export function summaryText(report: Report, reportPath: string): string {
  const o = report.options;
  const r = report.requests;
  const lines = [
    `harness run ${report.runId}: seed ${o.seed}, ${o.instances} instances, ${o.concurrency} clients, ${report.workloadSeconds} s, faults: ${o.faults.join(',') || 'none'}${o.disableVersionCheck ? ', VERSION CHECK DISABLED' : ''}`,
    `requests: ${r.sent} (ok ${r.ok}, rejected ${r.rejected}, unknown outcome ${r.unknown}, refused ${r.refused}); ${report.throughput} req/s; latency p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, max ${report.maxLatencyMs} ms`,
    `  ${'action'.padEnd(15)} ${cols(['sent', 'ok', 'rejected', 'unknown', 'refused', 'p50 ms', 'p99 ms'], [7, 7, 9, 8, 8, 8, 8])}`,
    ...Object.entries(report.actions).map(
      ([kind, s]) =>
        `  ${kind.padEnd(15)} ${cols([s.sent, s.ok, s.rejected, s.unknown, s.refused, s.p50Ms, s.p99Ms], [7, 7, 9, 8, 8, 8, 8])}`,
    ),
    `errors: ${list(report.errors)}`,
    `redis: ${report.redis}`,
    `faults injected: ${list(report.faults.counts)}`,
    // What each failover and reshard did to the cluster (few: one every 8-12 s).
    ...report.faults.log
      .filter((f) => CLUSTER_FAULTS.includes(f.fault))
      .map((f) => `  ${f.detail}`),
  ];
  const designed = report.faults.log.filter((f) => f.designed === true);
  if (designed.length > 0) {
    const caught = designed.filter((f) => report.lostUpdateOrders.includes(f.orderId ?? ''));
    lines.push(
      `designed pause episodes: ${designed.length}, ${caught.length} ended in a lost update`,
    );
  }
  for (const f of report.flash) {
    const kind =
      f.perBuyerLimit === null ? '' : ` (limit ${f.perBuyerLimit} per buyer, sale start ahead)`;
    const limited =
      f.perBuyerLimit === null
        ? ''
        : `${f.notStarted} sale_not_started, ${f.limitExceeded} purchase_limit_exceeded, `;
    lines.push(
      `flash sale #${f.round}${kind}: ${f.requests} orders for ${f.stocked} units: ${f.created} created, ${limited}${f.outOfStock} out_of_stock, ${f.unknown} unknown outcome; ${f.stockAfter} left`,
    );
  }
  lines.push(
    `purchase limits and sale starts: ${report.errors.purchase_limit_exceeded ?? 0} purchase_limit_exceeded, ${report.errors.sale_not_started ?? 0} sale_not_started answers`,
  );
  lines.push(...probeLines(report), ...couponLines(report));
  const ev = report.events;
  lines.push(
    `events: feed ${ev.feed}; webhooks: ${ev.deliveries} deliveries of ${ev.delivered} events (${ev.acknowledged} answered 2xx, ${ev.failed} 500, ${ev.hung} held past the time-out), ${ev.pendingAtEnd} pending at the end; gifts: ${ev.gifts} units`,
  );
  lines.push(
    `orders: ${report.orders.total} (${list(report.orders.byStatus)}); events: ${report.orders.events} (${list(report.orders.eventsByType)})`,
  );
  if (report.crashes.length > 0) {
    lines.push(`instance exits the harness did not cause: ${report.crashes.length}`);
  }
  lines.push(...violationLines(report));
  lines.push(`report: ${reportPath}`, `history: ${report.historyFile}`);
  lines.push(`timeline: ${report.timelineFile ?? 'not drawn'}`);
  return lines.join('\n');
}

/** The coupon storms in one line, the claims at the end in another. */
function couponLines(report: Report): string[] {
  const rounds = report.coupons.rounds;
  if (rounds.length === 0) return [];
  const sum = (f: (r: (typeof rounds)[number]) => number) => rounds.reduce((s, r) => s + f(r), 0);
  return [
    `coupon storms: ${rounds.length}, ${sum((r) => r.claims)} claims for ${sum((r) => r.totalQuantity)} units: ${sum((r) => r.created)} created, ${sum((r) => r.alreadyClaimed)} coupon_already_claimed, ${sum((r) => r.soldOut)} coupon_sold_out, ${sum((r) => r.unknown)} unknown outcome; orders with a claim: ${sum((r) => r.orders)} sent, ${sum((r) => r.ordersCreated)} created, ${sum((r) => r.unavailable)} coupon_unavailable`,
    `claims at the end: ${list(report.coupons.claimsByState)}; orders with a coupon: ${report.coupons.orders}`,
  ];
}

/** Time to sell again after each fault that may leave the stock gate wrong. */
function probeLines(report: Report): string[] {
  if (report.probes.length === 0) return [];
  const took = (p: Report['probes'][number]) =>
    p.soldMs === undefined ? undefined : Math.round(p.soldMs - p.fromMs);
  const each = report.probes.map((p) => `${p.fault} ${p.target} ${took(p) ?? 'never'}`);
  const worst = Math.max(...report.probes.map((p) => took(p) ?? Infinity));
  return [
    `sold again after the fault (ms, at most ${SELL_AGAIN_MS}): max ${worst}; ${each.join(', ')}`,
  ];
}

function violationLines(report: Report): string[] {
  if (report.violations.length === 0) return ['violations: none'];
  const lines = [
    `VIOLATIONS: ${report.violations.length} (${list(report.violationCounts)})`,
    `lost updates: ${report.lostUpdateOrders.length} orders`,
  ];
  const shown = new Set<string>();
  for (const v of report.violations.slice(0, 20)) {
    const where = `${v.orderId ? ` order ${v.orderId}` : ''}${v.productId ? ` product ${v.productId}` : ''}`;
    lines.push(`  guarantee ${v.guarantee} ${v.kind}${where}: ${v.message}`);
    if (v.orderId && !shown.has(v.orderId) && shown.size < 10) {
      shown.add(v.orderId);
      for (const line of report.histories[v.orderId] ?? []) lines.push(`      ${line}`);
    }
  }
  if (report.violations.length > 20) {
    lines.push(`  ... ${report.violations.length - 20} more in the report`);
  }
  return lines;
}
