import type { SaleProbe, Violation } from '../types';

/** How soon a product with stock in the database must sell again after a fault (issue 9). */
export const SELL_AGAIN_MS = 5000;

/**
 * After each fault that may leave the stock gate wrong (Redis lost its data, an instance
 * died holding units it took from the gate), the probed product, which had stock left in
 * PostgreSQL, sold again within 5 s of the fault's end: the gate was rebuilt or repaired.
 */
export function checkSellsAgain(probes: readonly SaleProbe[]): Violation[] {
  const out: Violation[] = [];
  for (const p of probes) {
    const tookMs = p.soldMs === undefined ? undefined : Math.round(p.soldMs - p.fromMs);
    if (tookMs !== undefined && tookMs <= SELL_AGAIN_MS) continue;
    out.push({
      guarantee: 'contract',
      kind: 'not-sold-again',
      productId: p.productId,
      message: `after ${p.fault}, the ${p.target} product with stock left ${tookMs === undefined ? `did not sell in ${p.attempts} tries` : `sold again only after ${tookMs} ms`} (at most ${SELL_AGAIN_MS} ms)`,
    });
  }
  return out;
}
