import type { Knex } from 'knex';

/**
 * One row per event and endpoint: the body to send (fixed when scheduled, so every
 * retry sends the same bytes) and the history an operator needs: `attempts`,
 * `last_status` (HTTP status, null when no answer), `last_error`, `next_attempt_at`,
 * `status` (`pending`, `delivered`, `given_up`). Per endpoint and order, only the
 * pending row with the lowest `seq` is sent.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('webhook_deliveries', (t) => {
    t.uuid('endpoint_id').notNullable().references('webhook_endpoints.id').onDelete('CASCADE');
    t.string('event_id', 48).notNullable();
    t.uuid('order_id').notNullable();
    t.integer('seq').notNullable();
    t.text('body').notNullable();
    t.string('status', 16).notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.integer('last_status').nullable();
    t.text('last_error').nullable();
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('first_attempt_at', { useTz: true }).nullable();
    t.timestamp('delivered_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['endpoint_id', 'event_id']);
    t.index(['endpoint_id', 'order_id', 'seq']);
  });
  await knex.raw(
    `create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending'`,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('webhook_deliveries');
}
