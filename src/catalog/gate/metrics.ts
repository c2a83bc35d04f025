import { Counter, type Registry } from 'prom-client';

/** How the gate answered an order. */
export type GateOutcome = 'taken' | 'refused' | 'skipped';

/** Hook the gate calls once per order it is asked about. */
export interface GateMetrics {
  decided(outcome: GateOutcome): void;
}

/** Metrics that record nothing: the default. */
export const noGateMetrics: GateMetrics = { decided: () => undefined };

/**
 * The counter `stock_gate_decisions_total{outcome}` on `registry` (refused: answered
 * without a PostgreSQL transaction; skipped: Redis failed and PostgreSQL decided alone).
 * @throws Error from prom-client when a metric of that name is already registered.
 */
export function createGateMetrics(registry: Registry): GateMetrics {
  const decisions = new Counter({
    name: 'stock_gate_decisions_total',
    help: 'Stock gate answers by outcome (refused: no PostgreSQL transaction was opened)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return { decided: (outcome) => decisions.inc({ outcome }) };
}
