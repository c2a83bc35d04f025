/**
 * The one error type of the service. `code` is one of the contract's stable codes and
 * decides the HTTP status (the table below is the only place that maps them).
 */
export const STATUS_BY_CODE = {
  malformed_json: 400,
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  order_not_found: 404,
  product_not_found: 404,
  coupon_not_found: 404,
  webhook_not_found: 404,
  invalid_transition: 409,
  price_changed: 409,
  payment_expired: 409,
  out_of_stock: 409,
  sku_exists: 409,
  order_busy: 409,
  idempotency_key_in_flight: 409,
  purchase_limit_exceeded: 409,
  sale_not_started: 409,
  coupon_code_exists: 409,
  coupon_already_claimed: 409,
  coupon_sold_out: 409,
  coupon_not_valid: 409,
  coupon_unavailable: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unknown_product: 422,
  mixed_merchants: 422,
  idempotency_key_reused: 422,
  invalid_gift: 422,
  invalid_webhook_url: 422,
  rate_limited: 429,
  dependency_unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof STATUS_BY_CODE;

const TITLES: Record<ErrorCode, string> = {
  malformed_json: 'Malformed JSON',
  validation_failed: 'Validation failed',
  unauthenticated: 'Unauthenticated',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  order_not_found: 'Order not found',
  product_not_found: 'Product not found',
  coupon_not_found: 'Coupon not found',
  webhook_not_found: 'Webhook not found',
  invalid_transition: 'Invalid transition',
  price_changed: 'Price changed',
  payment_expired: 'Payment expired',
  out_of_stock: 'Out of stock',
  sku_exists: 'SKU exists',
  order_busy: 'Order busy',
  idempotency_key_in_flight: 'Idempotency key in flight',
  purchase_limit_exceeded: 'Purchase limit exceeded',
  sale_not_started: 'Sale not started',
  coupon_code_exists: 'Coupon code exists',
  coupon_already_claimed: 'Coupon already claimed',
  coupon_sold_out: 'Coupon sold out',
  coupon_not_valid: 'Coupon not valid',
  coupon_unavailable: 'Coupon unavailable',
  precondition_failed: 'Precondition failed',
  payload_too_large: 'Payload too large',
  unsupported_media_type: 'Unsupported media type',
  unknown_product: 'Unknown product',
  mixed_merchants: 'Mixed merchants',
  idempotency_key_reused: 'Idempotency key reused',
  invalid_gift: 'Invalid gift',
  invalid_webhook_url: 'Invalid webhook URL',
  rate_limited: 'Rate limited',
  dependency_unavailable: 'Dependency unavailable',
  internal: 'Internal error',
};

export interface AppErrorOptions {
  /** Extra members of the problem document (`currentStatus`, `errors`, ...). */
  extensions?: Record<string, unknown>;
  /** Seconds for a `Retry-After` header. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class AppError extends Error {
  readonly status: number;
  readonly extensions: Record<string, unknown>;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly code: ErrorCode,
    detail: string,
    options: AppErrorOptions = {},
  ) {
    super(detail, { cause: options.cause });
    this.name = 'AppError';
    this.status = STATUS_BY_CODE[code];
    this.extensions = options.extensions ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The RFC 9457 problem document. */
  toProblem(): Record<string, unknown> {
    return {
      ...this.extensions,
      type: `https://docs.orders.example/problems/${this.code.replace(/_/g, '-')}`,
      title: TITLES[this.code],
      status: this.status,
      detail: this.message,
      code: this.code,
    };
  }
}
