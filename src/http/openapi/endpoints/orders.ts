import {
  ACTIONS,
  BULK_ACTIONS,
  BulkResults,
  bulkBody,
  type BulkAction,
  Order,
  OrderEvents,
  OrderPage,
  createOrderBody,
  listOrdersQuery,
  orderIdParams,
} from '../../schemas/orders';
import type { DocumentedCode } from '../../schemas/problem';
import type { Endpoint } from '../endpoint';

type Action = keyof typeof ACTIONS;

/** Who sends each action, its transition, and its refusals beyond `invalid_transition`. */
const TRANSITIONS: Record<Action, { who: string; change: string; codes?: DocumentedCode[] }> = {
  pay: {
    who: 'the buyer',
    change: 'pending_payment -> paid; `amountCents` must be the current `totalCents`',
    codes: ['price_changed', 'payment_expired'],
  },
  reprice: { who: 'the merchant', change: 'pending_payment -> pending_payment' },
  cancel: { who: 'the buyer or the merchant', change: 'pending_payment -> cancelled' },
  ship: { who: 'the merchant', change: 'paid -> shipped' },
  deliver: { who: 'the merchant', change: 'shipped -> delivered' },
  refund: { who: 'the merchant', change: 'paid -> refunded' },
};

/** Actions whose every field is optional: no body counts as `{}`. */
const BODY_REQUIRED: Record<Action, boolean> = {
  pay: true,
  reprice: true,
  cancel: false,
  ship: false,
  deliver: false,
  refund: false,
};

function transition(action: Action): Endpoint {
  const { who, change, codes = [] } = TRANSITIONS[action];
  return {
    method: 'post',
    path: `/v1/orders/{id}/${action}`,
    operationId: `${action}Order`,
    summary: `${action[0]?.toUpperCase()}${action.slice(1)} an order (${who})`,
    description: `${change}. Runs under the order's lock with a version check.`,
    tag: 'Orders',
    params: orderIdParams,
    body: { schema: ACTIONS[action], required: BODY_REQUIRED[action] },
    requestHeaders: ['IfMatch', 'IdempotencyKey'],
    success: {
      status: 200,
      description: 'The updated order.',
      schema: Order,
      headers: ['ETag'],
    },
    problems: [
      'validation_failed',
      'forbidden',
      'order_not_found',
      'invalid_transition',
      ...codes,
      'order_busy',
      'dependency_unavailable',
    ],
  };
}

function bulk(action: BulkAction): Endpoint {
  const { change } = TRANSITIONS[action];
  return {
    method: 'post',
    path: `/v1/orders/bulk/${action}`,
    operationId: `bulk${action[0]?.toUpperCase()}${action.slice(1)}Orders`,
    summary: `${action[0]?.toUpperCase()}${action.slice(1)} up to 100 orders at once (merchant)`,
    description: `${change}, for each entry. Each entry runs exactly as \`POST /v1/orders/{id}/${action}\` would, with \`ifMatch\` as its \`If-Match\`; one entry's refusal changes nothing for the others. An \`Idempotency-Key\` covers the whole request.`,
    tag: 'Orders',
    body: { schema: bulkBody(action), required: true },
    requestHeaders: ['IdempotencyKey'],
    success: {
      status: 200,
      description: "Each entry's status, with its order or its problem document, in request order.",
      schema: BulkResults,
    },
    problems: ['validation_failed', 'forbidden', 'dependency_unavailable'],
  };
}

/** Orders and their transitions (src/http/routes/orders.ts). */
export const ORDER_ENDPOINTS: Endpoint[] = [
  {
    method: 'post',
    path: '/v1/orders',
    operationId: 'createOrder',
    summary: 'Place an order (buyer)',
    description:
      "Reserves the stock of every item or of none. All products must be of one merchant. Refused before a product's `saleStartsAt` and when the buyer would hold more than its `perBuyerLimit`. With `couponId`, the buyer's claim is reserved by the order and `totalCents` is the items' sum less the coupon's discount (never below 0).",
    tag: 'Orders',
    body: { schema: createOrderBody, required: true },
    requestHeaders: ['IdempotencyKey'],
    success: {
      status: 201,
      description: 'The order, `pending_payment`, at version 1.',
      schema: Order,
      headers: ['Location', 'ETag'],
    },
    problems: [
      'validation_failed',
      'forbidden',
      'out_of_stock',
      'sale_not_started',
      'purchase_limit_exceeded',
      'unknown_product',
      'mixed_merchants',
      'coupon_unavailable',
      'dependency_unavailable',
    ],
  },
  {
    method: 'get',
    path: '/v1/orders',
    operationId: 'listOrders',
    summary: 'List the orders the caller may see, newest first',
    description: 'A buyer sees its own orders, a merchant its own, an admin all.',
    tag: 'Orders',
    query: listOrdersQuery,
    success: { status: 200, description: 'One page of orders.', schema: OrderPage },
    problems: ['validation_failed', 'dependency_unavailable'],
  },
  {
    method: 'get',
    path: '/v1/orders/{id}',
    operationId: 'getOrder',
    summary: 'Read an order',
    description:
      'The buyer who placed it, the merchant who sells it and admins see it; to anyone else it does not exist.',
    tag: 'Orders',
    params: orderIdParams,
    success: { status: 200, description: 'The order.', schema: Order, headers: ['ETag'] },
    problems: ['order_not_found', 'dependency_unavailable'],
  },
  {
    method: 'get',
    path: '/v1/orders/{id}/events',
    operationId: 'listOrderEvents',
    summary: "Read an order's history, oldest first",
    tag: 'Orders',
    params: orderIdParams,
    success: { status: 200, description: "The order's events.", schema: OrderEvents },
    problems: ['order_not_found', 'dependency_unavailable'],
  },
  ...(Object.keys(ACTIONS) as Action[]).map(transition),
  ...BULK_ACTIONS.map(bulk),
];
