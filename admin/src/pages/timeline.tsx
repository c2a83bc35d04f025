import { money, when } from '../format';
import type { OrderEvent } from '../types';

/** What an event changed, in words: totals before and after a reprice, amounts, reasons. */
function detail(e: OrderEvent, currency: string): string {
  const d = e.data;
  const cents = (v: unknown) => (typeof v === 'number' ? money(v, currency) : '?');
  const reason = typeof d.reason === 'string' ? ` — “${d.reason}”` : '';
  switch (e.type) {
    case 'CREATED':
      return `total ${cents(d.totalCents)}`;
    case 'REPRICE':
      return `${cents(d.previousTotalCents)} → ${cents(d.totalCents)}${reason}`;
    case 'PAY':
      return `paid ${cents(d.amountCents)}`;
    case 'SHIP':
      return typeof d.trackingNumber === 'string' ? `tracking ${d.trackingNumber}` : '';
    default:
      return reason.replace(/^ — /, '');
  }
}

/** The order's history, oldest first: who did what, when, and what it changed. */
export function Timeline(props: { events: OrderEvent[]; currency: string }) {
  return (
    <ol class="timeline" aria-label="Order history">
      {props.events.map((e) => (
        <li key={e.seq} data-event={e.type}>
          <span class="event-type">{e.type}</span>
          <span class="event-who">
            {e.actor.role} <code>{e.actor.id}</code>
          </span>
          <time dateTime={e.at}>{when(e.at)}</time>
          <span class="event-detail">
            {e.fromStatus ? `${e.fromStatus} → ${e.toStatus}` : e.toStatus}
            {detail(e, props.currency) ? ` · ${detail(e, props.currency)}` : ''}
          </span>
        </li>
      ))}
    </ol>
  );
}
