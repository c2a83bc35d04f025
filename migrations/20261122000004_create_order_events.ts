import type { Knex } from 'knex';

/**
 * One row per applied event. The primary key (order_id, seq) and seq = version make a
 * gap or a repeat impossible even if two writers got past the lock.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('order_events', (t) => {
    t.uuid('order_id').notNullable().references('orders.id').onDelete('CASCADE');
    t.integer('seq').notNullable();
    t.string('type', 32).notNullable();
    t.string('from_status', 32).nullable();
    t.string('to_status', 32).notNullable();
    t.integer('version').notNullable();
    t.string('actor_role', 16).notNullable();
    t.string('actor_id', 64).notNullable();
    t.jsonb('data').notNullable().defaultTo('{}');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['order_id', 'seq']);
  });
  await knex.raw(
    'alter table order_events add constraint order_events_seq_is_version check (seq = version)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('order_events');
}
