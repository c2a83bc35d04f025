import type { Knex } from 'knex';

/** The lines of an order, with the unit price at the time the order was placed. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('order_items', (t) => {
    t.uuid('order_id').notNullable().references('orders.id').onDelete('CASCADE');
    t.smallint('line').notNullable();
    t.uuid('product_id').notNullable().references('products.id');
    t.string('sku', 64).notNullable();
    t.integer('quantity').notNullable();
    t.bigInteger('unit_price_cents').notNullable();
    t.primary(['order_id', 'line']);
    t.index(['product_id']);
  });
  await knex.raw(
    'alter table order_items add constraint order_items_quantity_range check (quantity between 1 and 1000)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('order_items');
}
