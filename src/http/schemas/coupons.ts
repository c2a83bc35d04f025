import { cents, id, timestamp, uuid } from './common';
import { z } from './zod';

const instant = z
  .string()
  .datetime({ offset: true })
  .transform((value) => new Date(value))
  .openapi({ type: 'string', format: 'date-time' });

/** `POST /v1/coupons` body. */
export const createCouponBody = z
  .object({
    code: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ -'),
    /** At most 10^9 minor units, like a price. */
    discountCents: z.number().int().min(1).max(1_000_000_000),
    /**
     * At most 100 000: the coupon gate keeps every claimant in one Redis hash and a
     * rebuild writes them in one script call.
     */
    totalQuantity: z.number().int().min(1).max(100_000),
    minOrderCents: cents.default(0),
    validFrom: instant
      .openapi({ description: 'No claim or order uses it before this time (the database clock).' })
      .optional(),
    validUntil: instant
      .openapi({ description: 'No claim or order uses it from this time on.' })
      .optional(),
  })
  .strict()
  .refine((b) => !b.validFrom || !b.validUntil || b.validFrom < b.validUntil, {
    message: 'must be after validFrom',
    path: ['validUntil'],
  })
  .openapi('CreateCouponRequest');

/** `POST /v1/coupons/{id}/claim` body: nothing (no body counts as `{}`). */
export const claimBody = z.object({}).strict().openapi('ClaimCouponRequest');

/** Path parameter of every `/v1/coupons/{id}...` route. */
export const couponIdParams = z.object({ id: uuid.openapi({ description: "The coupon's id." }) });

/** A coupon as the API shows it (src/coupons/view.ts `couponView`). */
export const Coupon = z
  .object({
    id,
    merchantId: z.string(),
    code: z.string(),
    discountCents: cents,
    minOrderCents: cents,
    totalQuantity: z.number().int().min(1),
    /** Buyers who claimed it: never more than `totalQuantity`. */
    claimed: z.number().int().min(0),
    validFrom: timestamp.nullable(),
    validUntil: timestamp.nullable(),
    createdAt: timestamp,
  })
  .strict()
  .openapi('Coupon');

/** A buyer's claim of a coupon (src/coupons/view.ts `claimView`). */
export const CouponClaim = z
  .object({
    couponId: id,
    buyerId: z.string(),
    state: z.enum(['available', 'reserved', 'redeemed']),
    orderId: id
      .nullable()
      .openapi({ description: 'The order that reserved or redeemed it; null while available.' }),
    claimedAt: timestamp,
  })
  .strict()
  .openapi('CouponClaim');

/** `GET /v1/coupons/claimed`: the caller's claims, newest first. */
export const CouponClaims = z
  .object({ claims: z.array(CouponClaim) })
  .strict()
  .openapi('CouponClaims');
