import { type FlashObservation, type Observation, type Violation } from '../types';

/** Statuses in which an order gives its reserved stock back. */
const RELEASED = new Set(['cancelled', 'refunded']);

/**
 * Guarantee 5 (and 10's half for gift products): for each product, stock >= 0 and
 * stock + the quantities held by orders that still hold stock + the units given away as
 * gifts = what the merchant stocked; an order holds stock exactly when its status has not
 * given it back (`cancelled`, `refunded`).
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
  // Gifts leave for good: a refund does not bring them back.
  for (const g of observation.gifts)
    held.set(g.productId, (held.get(g.productId) ?? 0) + g.quantity);
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
        message: `stock ${p.stock} + held or given ${h} = ${p.stock + h}, but ${p.stocked} were stocked`,
      });
    }
  }
  return out;
}

/**
 * Flash sales: exactly the stock is sold, never more. Once some buyer was told
 * `out_of_stock` for q units, fewer than q were left, so what is left after the round
 * must be at most q - 1 plus what came back: units of the round's cancelled or expired
 * orders, and units its attempts may have taken from the stock gate without making an
 * order (an unknown outcome, a limit refusal of PostgreSQL). The orders never hold more
 * than was stocked, and no more orders succeeded than the database holds.
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
    const q = f.outOfStockMinQuantity;
    if (q !== null && f.stockAfter > q - 1 + f.quantityReleased + f.unitsMaybeBack) {
      v(
        'flash-undersold',
        `a buyer was told out_of_stock for ${q} units, yet ${f.stockAfter} units stayed unsold (${f.quantityReleased} were given back, ${f.unitsMaybeBack} may have been held by attempts that made no order)`,
      );
    }
  }
  return out;
}
