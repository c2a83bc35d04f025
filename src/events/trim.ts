import type { RedisClient } from '../redis';
import type { Db } from '../db/knex';
import { loadRelay, saveTrimmed } from '../db/event-relays.repo';
import { withDeadline } from '@order-coordinator/lock';
import type { Logger } from '../logger';
import { comparePositions, formatPosition, parsePosition, type Position } from './position';

interface TrimDeps {
  db: Db;
  redis: RedisClient;
  logger: Logger;
  stream: string;
  timeoutMs: number;
}

/** The field `name` of a flat Redis reply `[name, value, ...]`. */
function field(reply: unknown[], name: string): unknown {
  const i = reply.indexOf(name);
  return i >= 0 ? reply[i + 1] : undefined;
}

/**
 * The first place some group still needs: its oldest pending entry, else the one after
 * its last delivered. Undefined when the stream has no group (nothing is trimmed then).
 */
async function firstNeeded(redis: RedisClient, stream: string): Promise<Position | undefined> {
  const groups = (await redis.xinfo('GROUPS', stream)) as unknown[][];
  let first: Position | undefined;
  for (const group of groups) {
    const name = String(field(group, 'name'));
    const [count, oldest] = (await redis.xpending(stream, name)) as [number, string | null];
    const delivered = parsePosition(String(field(group, 'last-delivered-id')));
    const needed =
      count > 0 && oldest
        ? parsePosition(oldest)
        : delivered && { txid: delivered.txid, id: delivered.id + 1n };
    if (needed && (!first || comparePositions(needed, first) < 0)) first = needed;
  }
  return first;
}

/**
 * Drops the entries every consumer group has acknowledged (XTRIM MINID), after
 * recording in PostgreSQL the place just before the first one some group still needs:
 * a stream that loses its data is refilled from there. Best effort: a failure is logged.
 */
export async function trimStream(deps: TrimDeps): Promise<void> {
  try {
    const needed = await withDeadline(
      firstNeeded(deps.redis, deps.stream),
      deps.timeoutMs * 3,
      'reading the stream groups',
    );
    if (!needed) return;
    const through = { txid: needed.txid, id: needed.id > 0n ? needed.id - 1n : 0n };
    const recorded = parsePosition((await loadRelay(deps.db, deps.stream)).trimmedThrough);
    if (recorded && comparePositions(through, recorded) <= 0) return;
    await saveTrimmed(deps.db, deps.stream, formatPosition(through));
    await withDeadline(
      deps.redis.xtrim(deps.stream, 'MINID', formatPosition(needed)),
      deps.timeoutMs,
      'trimming the stream',
    );
  } catch (error) {
    deps.logger.warn(
      { err: error, stream: deps.stream },
      'stream trim failed; the next one retries',
    );
  }
}
