import type { Knex } from 'knex';

/** Merchants' catalogue. `stock` is what is left to sell; `stocked` what the merchant put in. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('products', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('merchant_id', 64).notNullable();
    t.string('sku', 64).notNullable();
    t.string('name', 200).notNullable();
    t.bigInteger('price_cents').notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.integer('stock').notNullable();
    t.integer('stocked').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['merchant_id', 'sku']);
  });
  // The last line of defence against overselling: stock can never go below zero.
  await knex.raw(`alter table products
    add constraint products_stock_not_negative check (stock >= 0),
    add constraint products_stock_within_stocked check (stock <= stocked),
    add constraint products_price_not_negative check (price_cents >= 0)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('products');
}
