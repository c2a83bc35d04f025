import type { Violation } from '../types';
import { asNumber, asObject } from '../util/json';
import type { OrderCase } from './case';
import { describe } from './events';

/**
 * Guarantee 2: a `PAY` carries the total set by the latest `CREATED` or `REPRICE` before
 * it, and no `REPRICE` follows a `PAY`. A `PAY` of another amount, or a `REPRICE` whose
 * `previousTotalCents` is not the total it replaced, is a lost update: the writer acted
 * on a state that another transition had already changed.
 */
export function checkPaidTotals(c: OrderCase): Violation[] {
  const out: Violation[] = [];
  const v = (kind: string, message: string): void => {
    out.push({ guarantee: 2, kind, orderId: c.order.id, message });
  };
  let total: number | undefined;
  let paidAt: number | undefined;
  for (const e of c.events) {
    if (e.type === 'CREATED') {
      total = asNumber(e.data.totalCents);
      if (total === undefined) v('created-without-total', `event ${describe(e)} has no totalCents`);
      // With a coupon, CREATED's total is its items' sum less its discount (never below 0);
      // without one `discountCents` is 0 (or absent, in events written before coupons).
      const sum = itemsTotal(e.data.items);
      const discount = asNumber(e.data.discountCents) ?? 0;
      if (sum !== undefined && Math.max(0, sum - discount) !== total) {
        v(
          'created-total-mismatch',
          `event ${describe(e)}: its items add up to ${sum}, less a discount of ${discount}`,
        );
      }
    } else if (e.type === 'REPRICE') {
      if (paidAt !== undefined) {
        v('reprice-after-pay', `event ${describe(e)} follows the PAY of event ${paidAt}`);
      }
      const previous = asNumber(e.data.previousTotalCents);
      if (previous !== undefined && total !== undefined && previous !== total) {
        v(
          'lost-update',
          `event ${describe(e)} replaced a total of ${previous}, but the total at that moment was ${total}`,
        );
      }
      total = asNumber(e.data.totalCents);
    } else if (e.type === 'PAY') {
      const amount = asNumber(e.data.amountCents);
      if (amount !== total) {
        v(
          'lost-update',
          `event ${describe(e)} paid ${amount}, but the order's total at that moment was ${total}`,
        );
      }
      paidAt ??= e.version;
    }
  }
  return out;
}

/** Sum of quantity x unitPriceCents of CREATED's items; undefined when they are not given. */
function itemsTotal(items: unknown): number | undefined {
  if (!Array.isArray(items) || items.length === 0) return undefined;
  let sum = 0;
  for (const item of items) {
    const i = asObject(item);
    const quantity = asNumber(i?.quantity);
    const price = asNumber(i?.unitPriceCents);
    if (quantity === undefined || price === undefined) return undefined;
    sum += quantity * price;
  }
  return sum;
}
