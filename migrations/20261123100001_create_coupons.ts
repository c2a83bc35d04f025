import type { Knex } from 'knex';

/**
 * Coupon campaigns (contract v2, Coupons). `claimed` counts the buyers who claimed the
 * coupon: a claim raises it with one conditional update (`claimed < total_quantity`), so
 * the check below is a second line, never the one that decides. `valid_from` and
 * `valid_until` are null when open. A merchant's `code` is unique.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('coupons', (t) => {
    t.uuid('id').primary().defaultTo(knex.raw('gen_random_uuid()'));
    t.string('merchant_id', 64).notNullable();
    t.string('code', 64).notNullable();
    t.bigInteger('discount_cents').notNullable();
    t.bigInteger('min_order_cents').notNullable().defaultTo(0);
    t.integer('total_quantity').notNullable();
    t.integer('claimed').notNullable().defaultTo(0);
    t.timestamp('valid_from', { useTz: true }).nullable();
    t.timestamp('valid_until', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['merchant_id', 'code'], { indexName: 'coupons_merchant_id_code_unique' });
  });
  await knex.raw(`alter table coupons
    add constraint coupons_discount_positive check (discount_cents >= 1),
    add constraint coupons_min_order_not_negative check (min_order_cents >= 0),
    add constraint coupons_claimed_within_quantity check (claimed between 0 and total_quantity),
    add constraint coupons_validity_ordered check (valid_from < valid_until)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('coupons');
}
