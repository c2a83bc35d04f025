import type { Knex } from 'knex';

/**
 * Flash-sale fields of a product (contract v2): the most units one buyer may hold at once,
 * the time its sale starts, and the product given with each unit bought. All three are
 * null when unset. A gift names another product; that it is of the same merchant is
 * checked when the product is created (products never change merchant).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('products', (t) => {
    t.integer('per_buyer_limit').nullable();
    t.timestamp('sale_starts_at', { useTz: true }).nullable();
    t.uuid('gift_product_id').nullable().references('products.id');
  });
  await knex.raw(`alter table products
    add constraint products_per_buyer_limit_range check (per_buyer_limit between 1 and 1000),
    add constraint products_gift_is_another check (gift_product_id <> id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('products', (t) => {
    t.dropColumn('gift_product_id');
    t.dropColumn('sale_starts_at');
    t.dropColumn('per_buyer_limit');
  });
}
