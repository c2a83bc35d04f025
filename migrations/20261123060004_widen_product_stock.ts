import type { Knex } from 'knex';

/**
 * Restocking adds up to 10^9 units at a time with no cap on the total, so `stock` and
 * `stocked` outgrow a 4-byte integer (2^31 - 1) after two restocks: 8 bytes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'alter table products alter column stock type bigint, alter column stocked type bigint',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(
    'alter table products alter column stock type integer, alter column stocked type integer',
  );
}
