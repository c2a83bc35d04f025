import type { Knex } from 'knex';

/**
 * Records that `consumer` applies `eventId`, in the caller's transaction.
 * @returns false when it was recorded before (the effect must not run again).
 */
export async function enterInbox(trx: Knex, consumer: string, eventId: string): Promise<boolean> {
  const result = await trx.raw<{ rowCount: number }>(
    `insert into event_inbox (consumer, event_id) values (?, ?) on conflict do nothing`,
    [consumer, eventId],
  );
  return result.rowCount === 1;
}
