import { type FlashObservation, type Observation, type Violation } from '../types';

/** Statuses in which an order gives its reserved stock back. */
const RELEASED = new Set(['cancelled', 'refunded']);

/**
 * Guarantee 5: for each product, stock >= 0 and stock + the quantities held by orders
 * that still hold stock = what the merchant stocked; an order holds stock exactly when
 * its status has not given it back (`cancelled`, `refunded`).
 */
export function checkStock(observation: Observation): Violation[] {
  const out: Violation[] = [];
  const held = new Map<string, number>();
  for (const order of observation.orders) {
    const shouldHold = !RELEASED.has(order.status);
    if (order.holdsStock !== shouldHold) {
      out.push({
        guarantee: 5,
        kind: 'holds-stock-mismatch',
        orderId: order.id,
        message: `the order is ${order.status} but holds_stock is ${order.holdsStock}`,
      });
    }
    if (!order.holdsStock) continue;
    for (const item of order.items) {
      held.set(item.productId, (held.get(item.productId) ?? 0) + item.quantity);
    }
  }
  for (const p of observation.products) {
    const h = held.get(p.id) ?? 0;
    if (p.stock < 0) {
      out.push({
        guarantee: 5,
        kind: 'negative-stock',
        productId: p.id,
        message: `stock is ${p.stock}`,
      });
    }
    if (p.stock + h !== p.stocked) {
      out.push({
        guarantee: 5,
        kind: p.stock + h < p.stocked ? 'stock-leak' : 'stock-oversold',
        productId: p.id,
        message: `stock ${p.stock} + held ${h} = ${p.stock + h}, but ${p.stocked} were stocked`,
      });
    }
  }
  return out;
}

/**
 * Flash sales: exactly the stock is sold, never more. Once some buyer was told
 * `out_of_stock`, whatever stock is left after the round must have come back from the
 * round's requests that failed in flight or from its own cancelled or expired orders; the orders never hold more than was stocked,
 * and no more orders succeeded than the database holds.
 */
export function checkFlash(rounds: readonly FlashObservation[]): Violation[] {
  const out: Violation[] = [];
  for (const f of rounds) {
    const v = (kind: string, message: string): void => {
      out.push({
        guarantee: 5,
        kind,
        productId: f.productId,
        message: `flash sale #${f.round}: ${message}`,
      });
    };
    if (f.quantityAfter + f.stockAfter !== f.stocked) {
      v(
        'flash-stock-mismatch',
        `${f.quantityAfter} held by orders + ${f.stockAfter} left != ${f.stocked} stocked`,
      );
    }
    if (f.quantityAfter > f.stocked) v('flash-oversold', `${f.quantityAfter} sold of ${f.stocked}`);
    if (f.created > f.ordersAfter) {
      v(
        'flash-lost-order',
        `${f.created} buyers got 201 but the database holds ${f.ordersAfter} orders`,
      );
    }
    // Once a buyer was told out_of_stock, every unit was sold or taken by an order still
    // in flight (the stock gate counts those): what is left must have come back from the
    // round's cancelled or expired orders, or from its requests that failed after taking
    // a unit (neither out_of_stock nor an order: a 5xx, a reset, a refused retry).
    const failedInFlight = Math.max(0, f.requests - f.outOfStock - f.ordersAfter);
    if (f.outOfStock > 0 && f.stockAfter > f.quantityReleased + failedInFlight) {
      v(
        'flash-undersold',
        `${f.outOfStock} buyers were told out_of_stock, yet ${f.stockAfter} units stayed unsold (${f.quantityReleased} were given back, ${failedInFlight} requests failed in flight)`,
      );
    }
  }
  return out;
}
