import type { Knex } from 'knex';

/** A merchant's webhook endpoints; `event_types` null means every type. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_endpoints', (t) => {
    t.uuid('id').primary();
    t.string('merchant_id', 64).notNullable();
    t.text('url').notNullable();
    t.specificType('event_types', 'text[]').nullable();
    t.text('secret').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['merchant_id', 'created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('webhook_endpoints');
}
