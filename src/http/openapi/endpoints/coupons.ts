import {
  Coupon,
  CouponClaim,
  CouponClaims,
  claimBody,
  couponIdParams,
  createCouponBody,
} from '../../schemas/coupons';
import type { Endpoint } from '../endpoint';

/** Coupon campaigns and claims (src/http/routes/coupons.ts); redemption is `createOrder`. */
export const COUPON_ENDPOINTS: Endpoint[] = [
  {
    method: 'post',
    path: '/v1/coupons',
    operationId: 'createCoupon',
    summary: 'Create a coupon campaign (merchant)',
    description:
      "A merchant's `code` is unique. `validFrom` / `validUntil` are optional (null: open); `validUntil` must be after `validFrom`.",
    tag: 'Coupons',
    body: { schema: createCouponBody, required: true },
    requestHeaders: ['IdempotencyKey'],
    success: {
      status: 201,
      description: 'The coupon, `claimed` 0.',
      schema: Coupon,
      headers: ['Location'],
    },
    problems: ['validation_failed', 'forbidden', 'coupon_code_exists', 'dependency_unavailable'],
  },
  {
    method: 'get',
    path: '/v1/coupons/claimed',
    operationId: 'listClaimedCoupons',
    summary: "The caller's claims, newest first (buyer)",
    tag: 'Coupons',
    success: { status: 200, description: "The buyer's claims.", schema: CouponClaims },
    problems: ['forbidden', 'dependency_unavailable'],
  },
  {
    method: 'get',
    path: '/v1/coupons/{id}',
    operationId: 'getCoupon',
    summary: 'Read a coupon (any role)',
    tag: 'Coupons',
    params: couponIdParams,
    success: {
      status: 200,
      description: 'The coupon; `claimed` is how many buyers claimed it.',
      schema: Coupon,
    },
    problems: ['coupon_not_found', 'dependency_unavailable'],
  },
  {
    method: 'post',
    path: '/v1/coupons/{id}/claim',
    operationId: 'claimCoupon',
    summary: 'Claim a coupon (buyer)',
    description:
      'At most once per buyer, by at most `totalQuantity` buyers, within its validity; also for thousands of buyers claiming at once on several instances.',
    tag: 'Coupons',
    params: couponIdParams,
    body: { schema: claimBody, required: false },
    requestHeaders: ['IdempotencyKey'],
    success: { status: 201, description: 'The claim, `available`.', schema: CouponClaim },
    problems: [
      'validation_failed',
      'forbidden',
      'coupon_not_found',
      'coupon_already_claimed',
      'coupon_sold_out',
      'coupon_not_valid',
      'dependency_unavailable',
    ],
  },
];
