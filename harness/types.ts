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

export type RequestKind = 'create-product' | 'create-order' | 'get-order' | Action;

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
  items: OrderItemRow[];
}

export interface ProductRow {
  id: string;
  merchantId: string;
  stock: number;
  stocked: number;
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
}

/** Everything the checker reads besides the history. */
export interface Observation {
  orders: OrderRow[];
  /** Events by order id, from the events API. */
  apiEvents: Map<string, EventRecord[]>;
  /** Events by order id, from the `order_events` table. */
  dbEvents: Map<string, EventRecord[]>;
  products: ProductRow[];
  flash: FlashObservation[];
  /** Unix epoch milliseconds of the final snapshot. */
  at: number;
}

export type Guarantee = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface Violation {
  /** One of the seven guarantees, or `contract` for another promise of API.md. */
  guarantee: Guarantee | 'contract';
  /** A short stable name: `lost-update`, `version-gap`, `phantom-event`, ... */
  kind: string;
  message: string;
  orderId?: string;
  productId?: string;
  requestIds?: number[];
}
