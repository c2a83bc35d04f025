export { StockGate, type GateDecision, type GateOrder, type StockGateOptions } from './gate';
export {
  COUPON_GATE,
  CouponGate,
  type ClaimDecision,
  type CouponFacts,
  type GateClaim,
} from './coupon-gate';
export { GateBase, type GateOptions } from './base';
export { ImmutableRowCache, ProductCache, type ProductFacts } from './product-cache';
export { createGateMetrics, noGateMetrics, type GateMetrics, type GateOutcome } from './metrics';
export { fillGate, readFills, type GateFill, type GateKind } from './fill';
export { IN_FLIGHT_STALE_MS } from './in-flight';
export { PRODUCT_GATE } from './source';
export {
  GATED_COUPONS,
  GATED_PRODUCTS,
  couponKeys,
  inFlightKey,
  orderKey,
  productKeys,
} from './keys';
