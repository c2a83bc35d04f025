/**
 * The `p`-th percentile (0..100) of `values` by nearest rank: the smallest sample with at
 * least p % of the samples at or below it (0 for no samples). Sorts a copy; the unit is
 * the samples' own.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}
