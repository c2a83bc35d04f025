import type { Knex } from 'knex';

/**
 * Units of a product that one buyer holds in orders that still hold stock, kept only for
 * products with a `per_buyer_limit`. An order placement adds to the row with a
 * conditional upsert (`held + quantity <= limit`) in its reservation's transaction, and
 * CANCEL, EXPIRE and REFUND subtract in theirs: two concurrent orders of one buyer meet
 * on this row (and on the product's row before it), so the limit holds across instances
 * without counting orders. A row that falls back to 0 is kept.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('buyer_holdings', (t) => {
    t.string('buyer_id', 64).notNullable();
    t.uuid('product_id').notNullable().references('products.id');
    t.integer('held').notNullable();
    t.primary(['buyer_id', 'product_id']);
  });
  await knex.raw(
    'alter table buyer_holdings add constraint buyer_holdings_held_not_negative check (held >= 0)',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('buyer_holdings');
}
