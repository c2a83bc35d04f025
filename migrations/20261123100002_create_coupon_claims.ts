import type { Knex } from 'knex';

/**
 * One buyer's claim of one coupon (at most one: the primary key), and its life:
 * `available` (no order), `reserved` by `order_id` (an unpaid order), `redeemed` by
 * `order_id` (paid; for good). The order's transitions move it in their own statement.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('coupon_claims', (t) => {
    t.uuid('coupon_id').notNullable().references('coupons.id');
    t.string('buyer_id', 64).notNullable();
    t.string('state', 16).notNullable().defaultTo('available');
    // Deferred: placement reserves the claim before it writes the order row (the discount
    // decides the order's total); both commit together.
    t.uuid('order_id').nullable().references('orders.id').deferrable('deferred');
    t.timestamp('claimed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['coupon_id', 'buyer_id']);
  });
  await knex.raw(`alter table coupon_claims
    add constraint coupon_claims_state_known check (state in ('available', 'reserved', 'redeemed')),
    add constraint coupon_claims_order_iff_taken check ((state = 'available') = (order_id is null))`);
  // The buyer's list, newest first; the transition finds its order's claim by order id.
  await knex.raw(
    'create index coupon_claims_buyer_claimed on coupon_claims (buyer_id, claimed_at desc, coupon_id desc)',
  );
  await knex.raw(
    'create unique index coupon_claims_order on coupon_claims (order_id) where order_id is not null',
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('coupon_claims');
}
