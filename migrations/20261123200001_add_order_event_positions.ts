import type { Knex } from 'knex';

/**
 * The outbox's feed order. Every event row gets a global number (`id`, a sequence) and
 * the id of the transaction that wrote it (`txid`, `pg_current_xact_id()`: 64 bits, never
 * wraps). The feed reads in (txid, id) order and only below the oldest transaction still
 * running (`pg_snapshot_xmin`), so a transaction that commits late can never land behind
 * a reader's cursor (docs/events.md). Rows written before this migration share its txid
 * and keep their order by id.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table order_events
    add column id bigserial not null,
    add column txid xid8 not null default pg_current_xact_id()`);
  await knex.raw('create unique index order_events_id on order_events (id)');
  await knex.raw('create unique index order_events_feed on order_events (txid, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('alter table order_events drop column txid, drop column id');
}
