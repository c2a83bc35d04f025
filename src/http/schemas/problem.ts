import { ORDER_EVENT_TYPES, ORDER_STATUSES } from '../../../machines';
import { STATUS_BY_CODE, type ErrorCode } from '../../errors';
import { cents, id, timestamp, version } from './common';
import { dependencyChecks } from './health';
import { z } from './zod';

/**
 * A code an endpoint may answer. `rate_limited` (429) is listed here until the rate
 * limiter adds it to `ErrorCode`; the union then stays correct as it is.
 */
export type DocumentedCode = ErrorCode | 'rate_limited';

/** The HTTP status of a documented code (src/errors.ts holds the table). */
export function statusOfCode(code: DocumentedCode): number {
  return code === 'rate_limited' ? 429 : STATUS_BY_CODE[code];
}

/**
 * The RFC 9457 problem document of every error (src/errors.ts `toProblem`). Extensions
 * are open: a code may add members beyond the ones listed.
 */
export const Problem = z
  .object({
    type: z.string().url(),
    title: z.string(),
    status: z.number().int().min(400).max(599),
    detail: z.string(),
    code: z.string(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: '`validation_failed`: every bad field, header or parameter.' }),
    currentStatus: z
      .enum(ORDER_STATUSES)
      .optional()
      .openapi({ description: '`invalid_transition`' }),
    allowedEvents: z
      .array(z.enum(ORDER_EVENT_TYPES))
      .optional()
      .openapi({ description: '`invalid_transition`: the events this caller may send now.' }),
    currentTotalCents: cents.optional().openapi({ description: '`price_changed`' }),
    currentVersion: version.optional().openapi({ description: '`precondition_failed`' }),
    paymentDueAt: timestamp.optional().openapi({ description: '`payment_expired`' }),
    productId: id.optional().openapi({
      description:
        '`out_of_stock`, `sale_not_started`, `purchase_limit_exceeded`: the product concerned.',
    }),
    productIds: z.array(z.string()).optional().openapi({ description: '`unknown_product`' }),
    limit: z
      .number()
      .int()
      .optional()
      .openapi({ description: "`purchase_limit_exceeded`: the product's `perBuyerLimit`." }),
    held: z.number().int().min(0).optional().openapi({
      description: '`purchase_limit_exceeded`: units of the product the buyer holds now.',
    }),
    saleStartsAt: timestamp.optional().openapi({ description: '`sale_not_started`' }),
    giftProductId: z.string().optional().openapi({ description: '`invalid_gift`' }),
    couponId: id.optional().openapi({ description: 'The coupon concerned (coupon codes).' }),
    validFrom: timestamp
      .nullable()
      .optional()
      .openapi({ description: '`coupon_not_valid`: null when open.' }),
    validUntil: timestamp
      .nullable()
      .optional()
      .openapi({ description: '`coupon_not_valid`: null when open.' }),
    reason: z
      .enum(['not_claimed', 'reserved', 'redeemed', 'other_merchant', 'not_valid', 'below_minimum'])
      .optional()
      .openapi({ description: '`coupon_unavailable`: why the claim cannot serve this order.' }),
    checks: dependencyChecks.optional().openapi({ description: '`/readyz` answering 503' }),
  })
  .passthrough()
  .openapi('Problem');

/** The problem documents of one status, with `code` one of `codes` (all of that status). */
export function problemOf(status: number, codes: readonly DocumentedCode[]) {
  const [first, ...rest] = codes;
  if (first === undefined) throw new Error(`no code for status ${status}`);
  return Problem.extend({ status: z.literal(status), code: z.enum([first, ...rest]) });
}
