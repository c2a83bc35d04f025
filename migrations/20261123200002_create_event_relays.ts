import type { Knex } from 'knex';

/**
 * Where each relay stands, per stream: `position`, the feed place (`<txid>-<id>`) of the
 * last event it published and recorded; `trimmed_through`, the place up to which every
 * consumer group had acknowledged the stream when it was last trimmed. A stream that
 * lost its data is refilled from the later of what it still holds and `trimmed_through`.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('event_relays', (t) => {
    t.string('stream', 200).primary();
    t.string('position', 48).notNullable().defaultTo('0-0');
    t.string('trimmed_through', 48).notNullable().defaultTo('0-0');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('event_relays');
}
