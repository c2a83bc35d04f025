/**
 * The vocabulary shared by the harness's workload, its recorder and its checker: what
 * was sent and answered (the history), what the system holds at the end (the
 * observation), and what the checker reports (violations).
 */

export type Role = 'buyer' | 'merchant' | 'admin';

export interface Principal {
  role: Role;
  id: string;
}

/** The transition actions of the contract, by their URL segment. */
export const ACTIONS = ['pay', 'reprice', 'cancel', 'ship', 'deliver', 'refund'] as const;
export type Action = (typeof ACTIONS)[number];

/** The event each action records. */
export const EVENT_OF: Record<Action, string> = {
  pay: 'PAY',
  reprice: 'REPRICE',
  cancel: 'CANCEL',
  ship: 'SHIP',
  deliver: 'DELIVER',
  refund: 'REFUND',
};

export const FINAL_STATUSES: ReadonlySet<string> = new Set(['delivered', 'cancelled', 'refunded']);

export type RequestKind =
  | 'create-product'
  | 'create-order'
  | 'get-order'
  | 'create-coupon'
  | 'claim-coupon'
  | 'create-webhook'
  | 'read-events'
  | Action;

export function isAction(kind: RequestKind): kind is Action {
  return (ACTIONS as readonly string[]).includes(kind);
}

/**
 * What a request did, as far as its sender can tell:
 * - `ok`: a 2xx response;
 * - `rejected`: a 4xx response (the contract says it changed nothing);
 * - `unknown`: a 5xx, a network error after the connection opened, or a time-out: the
 *   request may or may not have taken effect;
 * - `refused`: the connection was refused, so the request never reached a server.
 */
export type Outcome = 'ok' | 'rejected' | 'unknown' | 'refused';

/** The order fields a response body showed (for orders only). */
export interface OrderView {
  status: string;
  version: number;
  totalCents: number;
  paidCents: number | null;
}

/** One request of the history, with its send and receive times. */
export interface RequestRecord {
  id: number;
  kind: RequestKind;
  orderId?: string;
  /** The coupon a claim names (its path; an order's is in its body). */
  couponId?: string;
  actor: Principal;
  /** The API instance's port. */
  port: number;
  body?: Record<string, unknown>;
  idempotencyKey?: string;
  ifMatch?: string;
  pauseMs?: number;
  /** Why the workload sent it (`pause#3`, `dup`, `retry`, `flash#1`, ...). */
  tag?: string;
  /** Milliseconds since the run started (monotonic clock). */
  sentMs: number;
  /** Unix epoch milliseconds (wall clock). */
  sentWall: number;
  recvMs?: number;
  recvWall?: number;
  outcome: Outcome;
  status?: number;
  /** The problem document's `code`, for errors. */
  code?: string;
  /** The version in the `ETag` header. */
  etagVersion?: number;
  /** `Idempotent-Replayed: true` was on the response. */
  replayed: boolean;
  order?: OrderView;
  /** A hash of the response body with its keys sorted, to compare replays. */
  bodyHash?: string;
  /** The parsed response body. */
  response?: unknown;
  /** The network error or the time-out, for `unknown` and `refused`. */
  error?: string;
}

/** One event as `GET /v1/orders/:id/events` (or the table) shows it. */
export interface EventRecord {
  seq: number;
  type: string;
  fromStatus: string | null;
  toStatus: string;
  version: number;
  actor: { role: string; id: string };
  data: Record<string, unknown>;
  at: string;
}

export interface OrderItemRow {
  productId: string;
  quantity: number;
  unitPriceCents: number;
}

/** An order row at the end of the run. */
export interface OrderRow {
  id: string;
  buyerId: string;
  merchantId: string;
  status: string;
  totalCents: number;
  paidCents: number | null;
  version: number;
  holdsStock: boolean;
  /** Unix epoch milliseconds. */
  paymentDueAt: number;
  /** Unix epoch milliseconds (the database's `created_at`: its transaction's start). */
  createdAt: number;
  items: OrderItemRow[];
  /** The claimed coupon the order used (null without one), and the discount it gave. */
  couponId: string | null;
  discountCents: number;
}

export interface ProductRow {
  id: string;
  merchantId: string;
  stock: number;
  stocked: number;
  perBuyerLimit: number | null;
  /** Unix epoch milliseconds, null without a sale start. */
  saleStartsAt: number | null;
  /** The product a paid unit of this one brings as a gift (null: none). */
  giftProductId: string | null;
}

/** A row of `buyer_holdings`: units of a product with a limit that one buyer holds. */
export interface HoldingRow {
  buyerId: string;
  productId: string;
  held: number;
}

/**
 * After a fault that may leave the stock gate wrong (Redis lost its data, an instance
 * died between the gate and the database), one order retried until 201 on a product
 * with stock left in the database: the time to its first sale.
 */
export interface SaleProbe {
  /** The fault and its number (`flushall#2`, `kill#1`). */
  fault: string;
  /** Which product: the sale the fault hit, the killed order's, or a catalogue one. */
  target: 'flash' | 'killed-order' | 'catalogue';
  productId: string;
  /** Monotonic ms of the run: the fault's end (a kill: the SIGKILL), or the end of the sale it hit when later. */
  fromMs: number;
  /**
   * Monotonic ms of the sale: the first 201's answer, or, when a try whose answer was
   * lost (a time-out on a paused instance) placed the order, that order's creation;
   * undefined when nothing sold before the probe gave up.
   */
  soldMs?: number;
  /** The sale was a try whose answer was lost (found in the database). */
  soldToLostTry?: boolean;
  attempts: number;
}

/** A flash sale: many buyers at once at one product with scarce stock. */
export interface FlashObservation {
  round: number;
  productId: string;
  stocked: number;
  requests: number;
  created: number;
  outOfStock: number;
  unknown: number;
  /** The product's stock right after the round's last response. */
  stockAfter: number;
  /** Orders for the product in the database at that moment. */
  ordersAfter: number;
  /** The quantity of the product those orders still hold. */
  quantityAfter: number;
  /** The quantity those orders gave back (cancelled or expired before the observation). */
  quantityReleased: number;
  /** Some order of the round had already given its stock back. */
  released: boolean;
  /** The product's limit per buyer (null: none). */
  perBuyerLimit: number | null;
  /** Unix epoch ms of the sale's start (null: open at once). */
  saleStartsAt: number | null;
  /** Answers `sale_not_started` and `purchase_limit_exceeded`. */
  notStarted: number;
  limitExceeded: number;
  /** The smallest quantity that was answered `out_of_stock` (that many were not left). */
  outOfStockMinQuantity: number | null;
  /**
   * Units the round's attempts may have taken from the stock gate without making an
   * order: those with an unknown outcome (a 5xx, a reset, a time-out) and those refused
   * `purchase_limit_exceeded` (PostgreSQL refuses what a gate just reset let through).
   */
  unitsMaybeBack: number;
  /** The most units one buyer's orders held at that moment. */
  maxHeldByBuyer: number;
}

/** Everything the checker reads besides the history. */
export interface Observation {
  orders: OrderRow[];
  /** Events by order id, from the events API. */
  apiEvents: Map<string, EventRecord[]>;
  /** Events by order id, from the `order_events` table. */
  dbEvents: Map<string, EventRecord[]>;
  products: ProductRow[];
  /** `buyer_holdings` of the run's products. */
  holdings: HoldingRow[];
  flash: FlashObservation[];
  /** Time to sell again after each fault that may leave the stock gate wrong. */
  probes: SaleProbe[];
  /** The run's coupons, their claims and the gifts issued to its orders (guarantees 10-11). */
  coupons: CouponRow[];
  claims: ClaimRow[];
  gifts: GiftRow[];
  /** The events feed and what the webhook receiver got (guarantee 9); absent when not read. */
  feed?: FeedObservation;
  webhooks?: WebhookObservation;
  /** Unix epoch milliseconds of the final snapshot. */
  at: number;
}

export interface CouponRow {
  id: string;
  merchantId: string;
  discountCents: number;
  totalQuantity: number;
  /** `coupons.claimed`: the buyers who claimed it, as the coupon row counts them. */
  claimed: number;
}

/** A row of `coupon_claims`. */
export interface ClaimRow {
  couponId: string;
  buyerId: string;
  state: string;
  orderId: string | null;
}

/** A row of `order_gifts`. */
export interface GiftRow {
  orderId: string;
  productId: string;
  quantity: number;
}

/** One event of `GET /v1/events`, in the order the feed gave it. */
export interface FeedEvent {
  id: string;
  orderId: string;
  seq: number;
  type: string;
}

export interface FeedObservation {
  /** Per merchant, its feed read from the start. */
  byMerchant: Map<string, FeedEvent[]>;
}

/** What a merchant's endpoint subscribes to (null: every type). */
export interface Subscription {
  merchantId: string;
  eventTypes: string[] | null;
}

/** One POST the webhook receiver got. */
export interface Delivery {
  merchantId: string;
  webhookId: string;
  /** The body as sent, and what it names. */
  body: string;
  orderId: string | undefined;
  seq: number | undefined;
  type: string | undefined;
  /** `id` of the body (must equal webhook-id). */
  bodyId: string | undefined;
  /** The `standardwebhooks` package verified the signature with the endpoint's secret. */
  signatureValid: boolean;
  /** Milliseconds since the run started, when the request arrived. */
  arrivedMs: number;
  /** The status the receiver answered (0: it never answered). */
  answered: number;
}

export interface WebhookObservation {
  subscriptions: Subscription[];
  deliveries: Delivery[];
  /** `webhook_deliveries` rows of the run's endpoints still pending at the end. */
  pending: number;
}

export type Guarantee = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11;

export interface Violation {
  /** One of the guarantees 1-11, or `contract` for another promise of API.md. */
  guarantee: Guarantee | 'contract';
  /** A short stable name: `lost-update`, `version-gap`, `phantom-event`, ... */
  kind: string;
  message: string;
  orderId?: string;
  productId?: string;
  couponId?: string;
  requestIds?: number[];
}
