import type { RedisClient } from '@order-coordinator/lock';

/**
 * `INFO commandstats` as command name -> calls since the server started. The counts
 * include the commands Lua scripts run and every other client's commands.
 */
export async function commandStats(redis: RedisClient): Promise<Map<string, number>> {
  const text = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(match[1] ?? '', Number(match[2]));
  }
  return calls;
}

/**
 * Calls per command between two `commandStats` snapshots taken on one connection, less
 * the INFO that took the first snapshot (the second one's is not counted yet); commands
 * with no new calls are left out.
 */
export function commandDelta(
  before: Map<string, number>,
  after: Map<string, number>,
): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [name, calls] of after) {
    const diff = calls - (before.get(name) ?? 0) - (name === 'info' ? 1 : 0);
    if (diff > 0) delta.set(name, diff);
  }
  return delta;
}
