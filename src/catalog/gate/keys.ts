/**
 * The gate's Redis keys. Every key of one script call must hash to one Redis Cluster
 * slot, so all carry the merchant's hash tag `{m:<merchantId>}`: an order is
 * single-merchant, hence all its products, holdings and its own record share a slot,
 * and a merchant's flash sale still spreads over the cluster with other merchants'.
 */
export interface GateProductKeys {
  /** Hash: left, limit (0 = none), startsAtMs (0 = none). */
  state: string;
  /** Hash: buyerId -> units held (products with a per-buyer limit). */
  holdings: string;
}

const FORBIDDEN = /[{}]/;

function tag(merchantId: string): string {
  if (merchantId === '' || FORBIDDEN.test(merchantId))
    throw new TypeError('merchant id must be a non-empty string without { or }');
  return `gate:{m:${merchantId}}`;
}

/** The state and holdings keys of one product, e.g. `gate:{m:<merchant>}:p:<product>`. */
export function productKeys(merchantId: string, productId: string): GateProductKeys {
  const prefix = tag(merchantId);
  return { state: `${prefix}:p:${productId}`, holdings: `${prefix}:h:${productId}` };
}

/** The record of what one order took: `gate:{m:<merchant>}:o:<order>`. */
export function orderKey(merchantId: string, orderId: string): string {
  return `${tag(merchantId)}:o:${orderId}`;
}

/** The set of gated products the reconciler visits (members `<merchantId>/<productId>`). */
export const GATED_PRODUCTS = 'gate:products';
