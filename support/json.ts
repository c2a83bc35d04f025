/**
 * JSON with every object's keys sorted, so that equal values print equally (jsonb and
 * clients reorder keys). `undefined` prints as `'undefined'`.
 *
 * The API keeps its own private copy for request hashes (src/http/idempotency.ts):
 * production code never imports from support/.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'undefined';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    );
    return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
  }
  return value;
}
