import { Counter, type Registry } from 'prom-client';

/** How a gate answered a request: taken (passed on to PostgreSQL), refused, or skipped. */
export type GateOutcome = 'taken' | 'refused' | 'skipped';

/** Hook a gate calls once per request it is asked about. */
export interface GateMetrics {
  decided(outcome: GateOutcome): void;
}

/** Metrics that record nothing: the default. */
export const noGateMetrics: GateMetrics = { decided: () => undefined };

/**
 * The counter `<name>{outcome}` on `registry` (refused: answered without a PostgreSQL
 * transaction; skipped: Redis failed and PostgreSQL decided alone). The stock gate's is
 * `stock_gate_decisions_total`, the coupon gate's `coupon_gate_decisions_total`.
 * @throws Error from prom-client when a metric of that name is already registered.
 */
export function createGateMetrics(
  registry: Registry,
  name = 'stock_gate_decisions_total',
): GateMetrics {
  const decisions = new Counter({
    name,
    help: 'Gate answers by outcome (refused: no PostgreSQL transaction was opened)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  return { decided: (outcome) => decisions.inc({ outcome }) };
}
