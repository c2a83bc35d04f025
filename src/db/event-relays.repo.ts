import type { Knex } from 'knex';

export interface RelayRecord {
  position: string;
  trimmedThrough: string;
}

/** The relay's record for `stream` (the start when it has none). */
export async function loadRelay(db: Knex, stream: string): Promise<RelayRecord> {
  const row = (await db('event_relays').where({ stream }).first()) as
    { position: string; trimmed_through: string } | undefined;
  return { position: row?.position ?? '0-0', trimmedThrough: row?.trimmed_through ?? '0-0' };
}

/** Records the place of the last event published to `stream`. */
export async function savePosition(db: Knex, stream: string, position: string): Promise<void> {
  await db.raw(
    `insert into event_relays (stream, position) values (?, ?)
     on conflict (stream) do update set position = excluded.position, updated_at = now()`,
    [stream, position],
  );
}

/** Records that every consumer group acknowledged `stream` through `position`. */
export async function saveTrimmed(db: Knex, stream: string, position: string): Promise<void> {
  await db.raw(
    `insert into event_relays (stream, trimmed_through) values (?, ?)
     on conflict (stream) do update set trimmed_through = excluded.trimmed_through, updated_at = now()`,
    [stream, position],
  );
}
