/** A gate's decisions by outcome, summed over instances (from their /metrics). */
export type GateCounts = Record<string, number>;

/**
 * Reads a gate's decision counters (`metric`: `stock_gate_decisions_total`,
 * `coupon_gate_decisions_total`) of every instance; an instance without a gate adds none.
 */
export async function gateDecisions(urls: readonly string[], metric: string): Promise<GateCounts> {
  const line = new RegExp(`^${metric}\\{outcome="(\\w+)"\\} (\\d+(?:\\.\\d+)?)$`);
  const total: GateCounts = {};
  for (const url of urls) {
    const text = await (
      await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })
    ).text();
    for (const row of text.split('\n')) {
      const m = line.exec(row);
      if (m?.[1] !== undefined) total[m[1]] = (total[m[1]] ?? 0) + Number(m[2]);
    }
  }
  return total;
}

/** What happened between two readings. */
export function countsSince(before: GateCounts, after: GateCounts): GateCounts {
  return Object.fromEntries(
    Object.entries(after).map(([outcome, n]) => [outcome, n - (before[outcome] ?? 0)]),
  );
}
