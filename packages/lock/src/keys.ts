/** The Redis names one lock uses; all carry the lock key's hash tag (one Cluster slot). */
export interface LockKeys {
  /** The lock itself: a string holding the holder's token, with a PX expiry. */
  lock: string;
  /** Waiting tokens in arrival order (a list). */
  queue: string;
  /** Token -> Redis-clock ms after which that waiter's entry is stale (a sorted set). */
  deadlines: string;
  /** Pub/sub channel; a message names the waiter whose turn it is. */
  channel: string;
}

const FORBIDDEN = /[{}]/;

/**
 * The lock key for one entity, hash-tagged so that its companion keys land in the same
 * Redis Cluster slot: `lockKey('order', id)` is `lock:{order:<id>}`.
 * @throws TypeError when `kind` or `id` is empty or contains `{` or `}` (they would
 *   change the hash tag).
 */
export function lockKey(kind: string, id: string): string {
  for (const [name, part] of [
    ['kind', kind],
    ['id', id],
  ] as const) {
    if (typeof part !== 'string' || part === '' || FORBIDDEN.test(part)) {
      throw new TypeError(`lock ${name} must be a non-empty string without { or }`);
    }
  }
  return `lock:{${kind}:${id}}`;
}

/**
 * The hash tag of `key` as Redis Cluster reads it: the text between the first `{` and
 * the first `}` after it, when that is not empty.
 * @throws TypeError when the key has no such tag (build keys with {@link lockKey}).
 */
export function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  if (open < 0 || close <= open + 1) {
    throw new TypeError(`lock key ${JSON.stringify(key)} needs a {hash tag}; use lockKey()`);
  }
  return key.slice(open + 1, close);
}

/**
 * The companion names of a lock key; suffixes keep the key's own hash tag first, so
 * every name hashes to the same slot.
 * @throws TypeError when the key has no hash tag.
 */
export function lockKeys(key: string): LockKeys {
  hashTag(key);
  return { lock: key, queue: `${key}:q`, deadlines: `${key}:dl`, channel: `${key}:ch` };
}
