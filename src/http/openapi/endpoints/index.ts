import type { Endpoint } from '../endpoint';
import { COUPON_ENDPOINTS } from './coupons';
import { EVENT_ENDPOINTS, WEBHOOK_ENDPOINTS } from './events';
import { OPERATION_ENDPOINTS } from './operations';
import { ORDER_ENDPOINTS } from './orders';
import { PRODUCT_ENDPOINTS } from './products';

/**
 * Every endpoint the document describes. A new endpoint is one `Endpoint` entry in one
 * of these lists (or a new list added here); the document, `docs/openapi.json` and the
 * tests pick it up from there.
 */
export const ENDPOINTS: readonly Endpoint[] = [
  ...PRODUCT_ENDPOINTS,
  ...ORDER_ENDPOINTS,
  ...COUPON_ENDPOINTS,
  ...EVENT_ENDPOINTS,
  ...WEBHOOK_ENDPOINTS,
  ...OPERATION_ENDPOINTS,
];
