import type { OrderEvent } from '../../machines';

/**
 * What a caller asks for, before the coordinator has read the order. `toEvent` turns it
 * into the machine event at the time of the decision; `data` is what the event record
 * keeps (contract: the events API).
 */
export type Intent =
  | { type: 'PAY'; amountCents: number }
  | { type: 'REPRICE'; totalCents: number; reason?: string }
  | { type: 'CANCEL'; reason?: string }
  | { type: 'SHIP'; trackingNumber?: string }
  | { type: 'DELIVER' }
  | { type: 'REFUND'; reason?: string }
  | { type: 'EXPIRE' };

/** The machine event for `intent`, decided at `at` (epoch ms, the database's clock). */
export function toEvent(intent: Intent, at: number): OrderEvent {
  switch (intent.type) {
    case 'PAY':
    case 'EXPIRE':
      return { ...intent, at };
    default:
      return intent;
  }
}

/** The `data` of the event record; `previousTotalCents` is the total before a REPRICE. */
export function eventData(intent: Intent, previousTotalCents: number): Record<string, unknown> {
  switch (intent.type) {
    case 'PAY':
      return { amountCents: intent.amountCents };
    case 'REPRICE':
      return {
        totalCents: intent.totalCents,
        previousTotalCents,
        ...optional('reason', intent.reason),
      };
    case 'CANCEL':
    case 'REFUND':
      return optional('reason', intent.reason);
    case 'SHIP':
      return optional('trackingNumber', intent.trackingNumber);
    case 'DELIVER':
    case 'EXPIRE':
      return {};
  }
}

function optional(name: string, value: string | undefined): Record<string, unknown> {
  return value === undefined ? {} : { [name]: value };
}
