export { StockGate, type GateDecision, type GateOrder, type StockGateOptions } from './gate';
export { ProductCache, type ProductFacts } from './product-cache';
export { createGateMetrics, noGateMetrics, type GateMetrics, type GateOutcome } from './metrics';
export { fillGate } from './fill';
export { readGateSources, type GateSource } from './source';
export { GATED_PRODUCTS, orderKey, productKeys } from './keys';
