import type { Knex } from 'knex';

/**
 * Consumers' inbox: one row per (consumer, event) applied, written in the same
 * transaction as the consumer's effect. A message delivered again (a claim after a
 * consumer died, a refilled stream, a relay's retry) finds its row and changes nothing.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('event_inbox', (t) => {
    t.string('consumer', 64).notNullable();
    t.string('event_id', 48).notNullable();
    t.timestamp('processed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['consumer', 'event_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('event_inbox');
}
