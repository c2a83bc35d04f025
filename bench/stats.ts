/** Small statistics over samples; every duration here is in milliseconds. */
import { percentile } from '../support/stats';

/** The median of `values` (0 for none): the figure every repetition is reduced to. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** The latency summary a repetition keeps (ms): nearest-rank percentiles and the maximum. */
export interface Spread {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  return {
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    // A loop, not Math.max(...values): a quiet machine's run has more samples than the
    // call stack takes arguments.
    max: values.reduce((a, b) => (b > a ? b : a), values.length === 0 ? 0 : -Infinity),
  };
}

/** Rounds for display and JSON: 3 significant digits, never more than 3 decimals. */
export function round(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = Math.max(0, Math.min(3, 2 - Math.floor(Math.log10(Math.abs(value)))));
  return Number(value.toFixed(digits));
}

/** The median, over repetitions, of each numeric field that the repetitions share. */
export function medianOf<T extends object>(reps: readonly T[], fields: readonly (keyof T)[]) {
  const out: Partial<Record<keyof T, number>> = {};
  for (const field of fields) {
    out[field] = median(reps.map((r) => Number(r[field])));
  }
  return out as Record<keyof T, number>;
}
