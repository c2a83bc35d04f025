import type { Knex } from 'knex';

/**
 * Orders. `version` is the optimistic-concurrency counter (1 at creation, +1 per
 * transition); `machine_state` the persisted XState snapshot and `machine_version` the
 * version of the machine that wrote it; `holds_stock` whether the order still holds its
 * reserved stock (false once cancelled, expired or refunded).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('orders', (t) => {
    t.uuid('id').primary();
    t.string('buyer_id', 64).notNullable();
    t.string('merchant_id', 64).notNullable();
    t.string('status', 32).notNullable();
    t.jsonb('machine_state').notNullable();
    t.string('machine_version', 32).notNullable();
    t.bigInteger('total_cents').notNullable();
    t.specificType('currency', 'char(3)').notNullable();
    t.bigInteger('paid_cents').nullable();
    t.integer('version').notNullable();
    t.boolean('holds_stock').notNullable().defaultTo(true);
    t.timestamp('payment_due_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`alter table orders
    add constraint orders_status_known check (status in
      ('pending_payment', 'paid', 'shipped', 'delivered', 'cancelled', 'refunded')),
    add constraint orders_version_positive check (version >= 1)`);
  // Listing: newest first per buyer, per merchant and overall, keyset-paginated on (created_at, id).
  await knex.raw(
    'create index orders_buyer_created on orders (buyer_id, created_at desc, id desc)',
  );
  await knex.raw(
    'create index orders_merchant_created on orders (merchant_id, created_at desc, id desc)',
  );
  await knex.raw('create index orders_created on orders (created_at desc, id desc)');
  // The payment-expiry sweeper reads only unpaid orders by due time.
  await knex.raw(
    "create index orders_unpaid_due on orders (payment_due_at) where status = 'pending_payment'",
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('orders');
}
