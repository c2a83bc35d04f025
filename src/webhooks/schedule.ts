import type { Knex } from 'knex';
import { loadOrder } from '../db/orders.repo';
import { scheduleDeliveries } from '../db/webhooks.repo';
import type { FeedEvent } from '../events/feed';
import { orderView } from '../orders/view';

/** The webhooks consumer's group and inbox name. */
export const WEBHOOKS_CONSUMER = 'webhooks';

/**
 * The webhooks consumer's effect: one delivery row per subscribed endpoint, with the
 * body `{ id, type, orderId, event, order }` (`order` as read now: it may be newer than
 * the event). Committed with the inbox row, so each event is scheduled once.
 */
export async function scheduleWebhooks(event: FeedEvent, trx: Knex.Transaction): Promise<void> {
  const order = await loadOrder(trx, event.orderId);
  if (!order) return;
  const body = JSON.stringify({
    id: event.id,
    type: event.type,
    orderId: event.orderId,
    event,
    order: orderView(order),
  });
  await scheduleDeliveries(trx, event, body);
}
