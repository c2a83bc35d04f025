import type { ClaimRefusal, ReserveRefusal } from '../db/coupons.repo';
import { AppError } from '../errors';

/**
 * The refusal of a claim as the contract's error: the same whether the coupon gate or
 * PostgreSQL refused (same code, message and extensions).
 */
export function claimRefusalError(couponId: string, refusal: ClaimRefusal): AppError {
  switch (refusal.reason) {
    case 'coupon_already_claimed':
      return new AppError('coupon_already_claimed', `You already claimed coupon ${couponId}.`, {
        extensions: { couponId },
      });
    case 'coupon_sold_out':
      return new AppError('coupon_sold_out', `Coupon ${couponId} has no claims left.`, {
        extensions: { couponId },
      });
    case 'coupon_not_valid': {
      const validFrom = refusal.validFrom?.toISOString() ?? null;
      const validUntil = refusal.validUntil?.toISOString() ?? null;
      return new AppError(
        'coupon_not_valid',
        `Coupon ${couponId} is valid from ${validFrom ?? 'any time'} until ${validUntil ?? 'any time'}.`,
        { extensions: { couponId, validFrom, validUntil } },
      );
    }
  }
}

const WHY: Record<ReserveRefusal, string> = {
  not_claimed: 'you have not claimed it',
  reserved: 'your claim is reserved by another order',
  redeemed: 'your claim was redeemed',
  other_merchant: "it is another merchant's",
  not_valid: 'it is not valid now',
  below_minimum: "the items' sum is below its minimum order",
};

/** A coupon an order cannot use: 409 coupon_unavailable with `couponId` and `reason`. */
export function unavailableError(couponId: string, reason: ReserveRefusal): AppError {
  return new AppError('coupon_unavailable', `Coupon ${couponId} cannot be used: ${WHY[reason]}.`, {
    extensions: { couponId, reason },
  });
}
