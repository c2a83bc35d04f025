import type { Knex } from 'knex';

/** Product listing: newest first per merchant and overall, keyset-paginated on (created_at, id). */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(
    'create index products_merchant_created on products (merchant_id, created_at desc, id desc)',
  );
  await knex.raw('create index products_created on products (created_at desc, id desc)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index products_created');
  await knex.raw('drop index products_merchant_created');
}
