import { insertCoupon, type NewCoupon } from '../db/coupons.repo';
import type { Db, InTransaction } from '../db/knex';
import { uniqueViolation } from '../db/pg-errors';
import { AppError } from '../errors';
import { couponView, type CouponView } from './view';

/**
 * Adds a coupon campaign to a merchant's. `inTransaction` runs in the coupon's
 * transaction, after its write, with the new coupon.
 * @returns the new coupon (`claimed` 0).
 * @throws AppError coupon_code_exists when the merchant already has that code.
 */
export async function createCoupon(
  db: Db,
  coupon: NewCoupon,
  inTransaction?: InTransaction<CouponView>,
): Promise<CouponView> {
  try {
    return await db.transaction(async (trx) => {
      const created = couponView(await insertCoupon(trx, coupon));
      await inTransaction?.(trx, created);
      return created;
    });
  } catch (error) {
    if (uniqueViolation(error) === 'coupons_merchant_id_code_unique') {
      throw new AppError(
        'coupon_code_exists',
        `You already have a coupon with code ${coupon.code}.`,
      );
    }
    throw error;
  }
}
