import type { Knex } from 'knex';

/**
 * Idempotency records, scoped to the authenticated principal (role and id). A row is
 * `in_flight` while its first request runs (until `lease_until`, after which a retry
 * may take it over) and `done` with the stored response once it has finished.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('idempotency_keys', (t) => {
    t.string('principal_role', 16).notNullable();
    t.string('principal_id', 64).notNullable();
    t.string('key', 255).notNullable();
    t.string('request_hash', 64).notNullable();
    t.string('state', 16).notNullable();
    t.uuid('owner').notNullable();
    t.timestamp('lease_until', { useTz: true }).notNullable();
    t.integer('response_status').nullable();
    t.jsonb('response_headers').nullable();
    t.jsonb('response_body').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.primary(['principal_role', 'principal_id', 'key']);
    t.index(['expires_at']);
  });
  await knex.raw(
    "alter table idempotency_keys add constraint idempotency_keys_state check (state in ('in_flight', 'done'))",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('idempotency_keys');
}
