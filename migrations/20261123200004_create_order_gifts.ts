import type { Knex } from 'knex';

/**
 * Gifts issued to a paid order: units of a gift product taken from its stock by the
 * gifts consumer, once per order and gift product (the primary key).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('order_gifts', (t) => {
    t.uuid('order_id').notNullable().references('orders.id').onDelete('CASCADE');
    t.uuid('product_id').notNullable().references('products.id');
    t.string('sku', 64).notNullable();
    t.integer('quantity').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['order_id', 'product_id']);
  });
  await knex.raw(
    'alter table order_gifts add constraint order_gifts_quantity_positive check (quantity > 0)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('order_gifts');
}
