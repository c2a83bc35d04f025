import type { Knex } from 'knex';

export interface CouponRow {
  id: string;
  merchant_id: string;
  code: string;
  discount_cents: number;
  min_order_cents: number;
  total_quantity: number;
  claimed: number;
  valid_from: Date | null;
  valid_until: Date | null;
  created_at: Date;
}

export interface NewCoupon {
  merchantId: string;
  code: string;
  discountCents: number;
  totalQuantity: number;
  minOrderCents: number;
  validFrom?: Date | undefined;
  validUntil?: Date | undefined;
}

/** A claim's life: available -> reserved (by an unpaid order) -> redeemed (paid). */
export type ClaimState = 'available' | 'reserved' | 'redeemed';

export interface ClaimRow {
  coupon_id: string;
  buyer_id: string;
  state: ClaimState;
  order_id: string | null;
  claimed_at: Date;
}

/** Why a claim was refused (the caller rolls its transaction back). */
export type ClaimRefusal =
  | { reason: 'coupon_already_claimed' }
  | { reason: 'coupon_sold_out' }
  | { reason: 'coupon_not_valid'; validFrom: Date | null; validUntil: Date | null };

export async function insertCoupon(db: Knex, c: NewCoupon): Promise<CouponRow> {
  const [row] = await db<CouponRow>('coupons')
    .insert({
      merchant_id: c.merchantId,
      code: c.code,
      discount_cents: c.discountCents,
      min_order_cents: c.minOrderCents,
      total_quantity: c.totalQuantity,
      valid_from: c.validFrom ?? null,
      valid_until: c.validUntil ?? null,
    })
    .returning('*');
  if (!row) throw new Error('insert returned no row');
  return row;
}

export async function findCoupon(db: Knex, id: string): Promise<CouponRow | undefined> {
  return db<CouponRow>('coupons').where({ id }).first();
}

export async function findCoupons(db: Knex, ids: readonly string[]): Promise<CouponRow[]> {
  return db<CouponRow>('coupons').whereIn('id', ids);
}

/**
 * Claims a coupon for a buyer: the claim row first (its primary key makes a second
 * claim of the same buyer wait for the first and then find it), then one conditional
 * update of the count that never passes `total_quantity` and holds only within the
 * coupon's validity on the database's clock. Concurrent claims meet on the coupon row.
 * @returns the claim, or why not. On a refusal rows may have changed: roll back.
 */
export async function insertClaim(
  trx: Knex.Transaction,
  couponId: string,
  buyerId: string,
): Promise<ClaimRow | ClaimRefusal> {
  const inserted = await trx.raw<{ rows: ClaimRow[] }>(
    `insert into coupon_claims (coupon_id, buyer_id) values (?, ?)
     on conflict (coupon_id, buyer_id) do nothing
     returning coupon_id, buyer_id, state, order_id, claimed_at`,
    [couponId, buyerId],
  );
  const claim = inserted.rows[0];
  if (!claim) return { reason: 'coupon_already_claimed' };
  const { rows } = await trx.raw<{
    rows: { counted: boolean; valid_from: Date | null; valid_until: Date | null; open: boolean }[];
  }>(
    `with counted as (
       update coupons set claimed = claimed + 1
       where id = ? and claimed < total_quantity
         and (valid_from is null or valid_from <= now()) and (valid_until is null or valid_until > now())
       returning id
     )
     select exists (select 1 from counted) as counted, c.valid_from, c.valid_until,
       (c.valid_from is null or c.valid_from <= now()) and (c.valid_until is null or c.valid_until > now()) as open
     from coupons c where c.id = ?`,
    [couponId, couponId],
  );
  const row = rows[0];
  if (row?.counted) return claim;
  if (row && !row.open)
    return { reason: 'coupon_not_valid', validFrom: row.valid_from, validUntil: row.valid_until };
  return { reason: 'coupon_sold_out' };
}

/** The buyer's claims, newest first. */
export async function listClaims(db: Knex, buyerId: string): Promise<ClaimRow[]> {
  return db<ClaimRow>('coupon_claims')
    .select('coupon_id', 'buyer_id', 'state', 'order_id', 'claimed_at')
    .where({ buyer_id: buyerId })
    .orderBy([
      { column: 'claimed_at', order: 'desc' },
      { column: 'coupon_id', order: 'desc' },
    ]);
}

/** What placing an order with a coupon needs to know about the claim. */
export interface ClaimReservation {
  couponId: string;
  buyerId: string;
  merchantId: string;
  orderId: string;
  /** The items' sum, before the discount. */
  itemsCents: number;
}

/** Why a claim could not be reserved by an order (all are `coupon_unavailable`). */
export type ReserveRefusal =
  'not_claimed' | 'reserved' | 'redeemed' | 'other_merchant' | 'not_valid' | 'below_minimum';

/**
 * Reserves the buyer's claim for a new order, in the order's transaction, after its
 * stock (lock order: products, then the claim). One conditional update: the claim must
 * be `available`, its coupon the order's merchant's, valid now (the transaction's
 * start) and the items' sum at least its minimum. Two orders placing one claim at once
 * meet on the claim row: the second re-reads it after the first commits and finds it
 * reserved. The order row is written after this (the claim's order key is deferred).
 * @returns the coupon's discount, or why not. On a refusal roll back.
 */
export async function reserveClaim(
  trx: Knex.Transaction,
  r: ClaimReservation,
): Promise<{ discountCents: number } | { refusal: ReserveRefusal }> {
  const { rows } = await trx.raw<{ rows: { discount_cents: number }[] }>(
    `update coupon_claims c set state = 'reserved', order_id = ?, updated_at = now()
     from coupons k
     where c.coupon_id = ? and c.buyer_id = ? and c.state = 'available' and k.id = c.coupon_id
       and k.merchant_id = ? and k.min_order_cents <= ?
       and (k.valid_from is null or k.valid_from <= now()) and (k.valid_until is null or k.valid_until > now())
     returning k.discount_cents`,
    [r.orderId, r.couponId, r.buyerId, r.merchantId, r.itemsCents],
  );
  const row = rows[0];
  if (row) return { discountCents: row.discount_cents };
  return { refusal: await whyNotReserved(trx, r) };
}

async function whyNotReserved(trx: Knex.Transaction, r: ClaimReservation): Promise<ReserveRefusal> {
  const { rows } = await trx.raw<{
    rows: { state: ClaimState; merchant_id: string; min_order_cents: number; open: boolean }[];
  }>(
    `select c.state, k.merchant_id, k.min_order_cents,
       (k.valid_from is null or k.valid_from <= now()) and (k.valid_until is null or k.valid_until > now()) as open
     from coupon_claims c join coupons k on k.id = c.coupon_id
     where c.coupon_id = ? and c.buyer_id = ?`,
    [r.couponId, r.buyerId],
  );
  const row = rows[0];
  if (!row) return 'not_claimed';
  if (row.state !== 'available') return row.state;
  if (row.merchant_id !== r.merchantId) return 'other_merchant';
  if (!row.open) return 'not_valid';
  return 'below_minimum';
}

/**
 * Reads the coupon gate state of `couponIds` from PostgreSQL in one statement (one
 * snapshot): the count, the quantity, the validity in epoch ms and the claimants.
 */
export async function readCouponClaimants(
  db: Knex,
  couponIds: readonly string[],
): Promise<(CouponRow & { claimants: string[] })[]> {
  if (couponIds.length === 0) return [];
  const { rows } = await db.raw<{ rows: (CouponRow & { claimants: string[] | null })[] }>(
    `select k.*, (select json_agg(c.buyer_id) from coupon_claims c where c.coupon_id = k.id) as claimants
     from coupons k where k.id = any(?::uuid[])`,
    [[...couponIds]],
  );
  return rows.map((r) => ({ ...r, claimants: r.claimants ?? [] }));
}
