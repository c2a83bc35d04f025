import { ORDER_EVENT_TYPES, ORDER_STATUSES } from '../../../machines';
import type { Intent } from '../../orders/intents';
import { decodeCursor } from '../../orders/queries';
import {
  cents,
  currency,
  cursorParam,
  id,
  ifMatchVersions,
  text,
  timestamp,
  uuid,
  version,
} from './common';
import { Problem } from './problem';
import { z } from './zod';

/** `POST /v1/orders` body. */
export const createOrderBody = z
  .object({
    items: z
      .array(z.object({ productId: uuid, quantity: z.number().int().min(1).max(1000) }).strict())
      .min(1)
      .max(50),
    couponId: uuid
      .openapi({
        description:
          "A coupon the buyer claimed: its claim must be `available`, of the order's merchant, valid now, and the items' sum at least its `minOrderCents`.",
      })
      .optional(),
  })
  .strict()
  .openapi('CreateOrderRequest');

const reason = text(500).optional();
/** Each action's body (`POST /v1/orders/:id/<action>`), and the intent it stands for. */
export const ACTIONS = {
  pay: z
    .object({ amountCents: cents })
    .strict()
    .openapi('PayRequest')
    .transform((b): Intent => ({ type: 'PAY', ...b })),
  reprice: z
    .object({ totalCents: cents, reason })
    .strict()
    .openapi('RepriceRequest')
    .transform((b): Intent => ({ type: 'REPRICE', ...b })),
  cancel: z
    .object({ reason })
    .strict()
    .openapi('CancelRequest')
    .transform((b): Intent => ({ type: 'CANCEL', ...b })),
  ship: z
    .object({ trackingNumber: text(100).optional() })
    .strict()
    .openapi('ShipRequest')
    .transform((b): Intent => ({ type: 'SHIP', ...b })),
  deliver: z
    .object({})
    .strict()
    .openapi('DeliverRequest')
    .transform((): Intent => ({ type: 'DELIVER' })),
  refund: z
    .object({ reason })
    .strict()
    .openapi('RefundRequest')
    .transform((b): Intent => ({ type: 'REFUND', ...b })),
} as const;

/** The actions a merchant may send to many orders at once (`POST /v1/orders/bulk/<action>`). */
export const BULK_ACTIONS = ['reprice', 'cancel', 'ship', 'deliver', 'refund'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

/** A bulk entry's `ifMatch`: what its `If-Match` header would be (`"3"` or `*`). */
const ifMatchField = z
  .string()
  .max(200)
  .transform((value, ctx) => {
    const parsed = ifMatchVersions(value);
    if (parsed === undefined) {
      ctx.addIssue({ code: 'custom', message: 'must be * or "<version>"' });
      return z.NEVER;
    }
    return parsed;
  })
  .openapi({ type: 'string', example: '"3"', description: "Acts as the entry's `If-Match`." });

/** `POST /v1/orders/bulk/<action>` body: 1 to 100 entries with distinct order ids. */
export function bulkBody(action: BulkAction) {
  const name = `${action[0]?.toUpperCase()}${action.slice(1)}`;
  return z
    .object({
      orders: z
        .array(
          z.object({ id: uuid, ifMatch: ifMatchField.optional(), body: ACTIONS[action] }).strict(),
        )
        .min(1)
        .max(100)
        .superRefine((entries, ctx) => {
          const seen = new Set<string>();
          entries.forEach((entry, i) => {
            if (seen.has(entry.id))
              ctx.addIssue({ code: 'custom', path: [i, 'id'], message: 'repeats an earlier id' });
            seen.add(entry.id);
          });
        }),
    })
    .strict()
    .openapi(`Bulk${name}Request`);
}

/** `GET /v1/orders` query. */
export const listOrdersQuery = z
  .object({
    status: z.enum(ORDER_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: cursorParam(decodeCursor),
  })
  .strict();

/** Path parameter of every `/v1/orders/{id}...` route. */
export const orderIdParams = z.object({ id: uuid.openapi({ description: "The order's id." }) });

/** An order as the API shows it (src/orders/view.ts `orderView`). */
export const Order = z
  .object({
    id,
    buyerId: z.string(),
    merchantId: z.string(),
    status: z.enum(ORDER_STATUSES),
    items: z.array(
      z
        .object({
          productId: id,
          sku: z.string(),
          quantity: z.number().int().min(1),
          unitPriceCents: cents,
        })
        .strict(),
    ),
    couponId: id.nullable().openapi({ description: 'The coupon used; null without one.' }),
    discountCents: cents.openapi({
      description: "What the coupon took off the items' sum (at most that sum); 0 without one.",
    }),
    totalCents: cents,
    currency,
    /** Null until paid. */
    paidCents: cents.nullable(),
    version,
    paymentDueAt: timestamp,
    /** Empty until the gifts consumer has issued them (after `PAY`). */
    gifts: z.array(
      z.object({ productId: id, sku: z.string(), quantity: z.number().int().min(1) }).strict(),
    ),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .strict()
  .openapi('Order');

/** One page of `GET /v1/orders`, newest first. */
export const OrderPage = z
  .object({
    orders: z.array(Order),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  })
  .strict()
  .openapi('OrderPage');

/** One entry of an order's history (src/orders/view.ts `eventView`). */
export const OrderEvent = z
  .object({
    seq: z.number().int().min(1),
    type: z.enum(['CREATED', ...ORDER_EVENT_TYPES]),
    // zod-to-openapi leaves null out of a nullable enum's `enum`; without it, null would
    // be refused by any validator although `type` allows it.
    fromStatus: z
      .enum(ORDER_STATUSES)
      .nullable()
      .openapi({ enum: [...ORDER_STATUSES, null], description: 'Null for `CREATED`.' }),
    toStatus: z.enum(ORDER_STATUSES),
    version,
    actor: z
      .object({ role: z.enum(['buyer', 'merchant', 'admin', 'system']), id: z.string() })
      .strict(),
    data: z
      .record(z.unknown())
      .openapi({ description: 'What the event changed; its members depend on `type`.' }),
    at: timestamp,
  })
  .strict()
  .openapi('OrderEvent');

/** `GET /v1/orders/{id}/events`: the order's history, oldest first. */
export const OrderEvents = z
  .object({ events: z.array(OrderEvent) })
  .strict()
  .openapi('OrderEvents');

/** `POST /v1/orders/bulk/<action>`: one result per entry, in request order. */
export const BulkResults = z
  .object({
    results: z.array(
      z
        .object({
          id,
          status: z.number().int().min(200).max(599).openapi({
            description: 'The HTTP status the single call would have had.',
          }),
          order: Order.optional().openapi({ description: 'On success: the updated order.' }),
          error: Problem.optional().openapi({ description: 'Otherwise: the problem document.' }),
        })
        .strict(),
    ),
  })
  .strict()
  .openapi('BulkResults');
