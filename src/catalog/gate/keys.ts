/**
 * The gates' Redis keys. Every key of one script call must hash to one Redis Cluster
 * slot, so all carry the merchant's hash tag `{m:<merchantId>}`: an order is
 * single-merchant, hence all its products, holdings and its own record share a slot (a
 * coupon and its claimants likewise), and a merchant's flash sale or claim storm still
 * spreads over the cluster with other merchants'.
 */
export interface GateProductKeys {
  /** Hash: left, limit (0 = none), startsAtMs (0 = none). */
  state: string;
  /** Hash: buyerId -> units held (products with a per-buyer limit). */
  holdings: string;
}

/** The keys of one gated thing as the shared fill script writes them. */
export interface GateStateKeys {
  /** Hash of numbers: the thing's state. */
  state: string;
  /** Hash: buyerId -> a number (units held, or 1 for a coupon's claimant). */
  holders: string;
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

/**
 * The keys of one coupon: `gate:{m:<merchant>}:c:<coupon>` (hash: total, claimed,
 * fromMs, untilMs) and `gate:{m:<merchant>}:cb:<coupon>` (hash: buyerId -> 1, the set of
 * its claimants).
 */
export function couponKeys(merchantId: string, couponId: string): GateStateKeys {
  const prefix = tag(merchantId);
  return { state: `${prefix}:c:${couponId}`, holders: `${prefix}:cb:${couponId}` };
}

/** The record of what one order took: `gate:{m:<merchant>}:o:<order>`. */
export function orderKey(merchantId: string, orderId: string): string {
  return `${tag(merchantId)}:o:${orderId}`;
}

/**
 * The merchant's orders between their take and their commit: a sorted set of members
 * `<orderId> <productId> <units> <buyerId>` scored by the take's Redis-clock ms,
 * `gate:{m:<merchant>}:f`. The reconciler counts them when it resets a product from
 * PostgreSQL, which does not count them yet.
 */
export function inFlightKey(merchantId: string): string {
  return `${tag(merchantId)}:f`;
}

/** One in-flight member (see {@link inFlightKey}). */
export function inFlightMember(
  orderId: string,
  productId: string,
  units: number,
  buyerId: string,
): string {
  return `${orderId} ${productId} ${units} ${buyerId}`;
}

/** The set of gated products the reconciler visits (members `<merchantId>/<productId>`). */
export const GATED_PRODUCTS = 'gate:products';
/** The set of gated coupons the reconciler visits (members `<merchantId>/<couponId>`). */
export const GATED_COUPONS = 'gate:coupons';
