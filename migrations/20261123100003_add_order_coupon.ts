import type { Knex } from 'knex';

/**
 * An order's coupon (null without one) and the discount it gave (0 without one).
 * Placement reserves the buyer's claim with a conditional update of the claim row; the
 * partial unique index is the database's own second line for guarantee 11: at most one
 * order that still holds a claim (any status but `cancelled`) per buyer and coupon.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.uuid('coupon_id').nullable().references('coupons.id');
    t.bigInteger('discount_cents').notNullable().defaultTo(0);
  });
  await knex.raw(
    'alter table orders add constraint orders_discount_not_negative check (discount_cents >= 0)',
  );
  await knex.raw(`create unique index orders_one_live_order_per_claim on orders (coupon_id, buyer_id)
    where coupon_id is not null and status <> 'cancelled'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('drop index orders_one_live_order_per_claim');
  await knex.schema.alterTable('orders', (t) => {
    t.dropColumn('discount_cents');
    t.dropColumn('coupon_id');
  });
}
