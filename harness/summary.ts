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
    `faults injected: ${list(report.faults.counts)}`,
  ];
  const designed = report.faults.log.filter((f) => f.designed === true);
  if (designed.length > 0) {
    const caught = designed.filter((f) => report.lostUpdateOrders.includes(f.orderId ?? ''));
    lines.push(
      `designed pause episodes: ${designed.length}, ${caught.length} ended in a lost update`,
    );
  }
  for (const f of report.flash) {
    lines.push(
      `flash sale #${f.round}: ${f.requests} buyers for ${f.stocked} units: ${f.created} created, ${f.outOfStock} out_of_stock, ${f.unknown} unknown outcome; ${f.stockAfter} left`,
    );
  }
  lines.push(
    `orders: ${report.orders.total} (${list(report.orders.byStatus)}); events: ${report.orders.events} (${list(report.orders.eventsByType)})`,
  );
  if (report.crashes.length > 0) {
    lines.push(`instance exits the harness did not cause: ${report.crashes.length}`);
  }
  lines.push(...violationLines(report));
  lines.push(`report: ${reportPath}`, `history: ${report.historyFile}`);
  return lines.join('\n');
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
