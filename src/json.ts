/**
 * JSON with every object's keys sorted, so that equal values print equally whatever
 * order their keys came in (clients and jsonb reorder them). `undefined` prints as
 * `null`. Request hashes of Idempotency-Keys are built on it: changing its output
 * would make stored keys refuse their own retries.
 */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : 1,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
