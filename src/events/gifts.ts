import type { Knex } from 'knex';
import { issueGifts } from '../db/gifts.repo';
import type { FeedEvent } from './feed';

/** The gifts consumer's group and inbox name. */
export const GIFTS_CONSUMER = 'gifts';

/**
 * The gifts consumer's effect: a `PAY` issues the order's gifts (one unit of each item's
 * gift product per unit bought, as far as its stock goes). Run through `startConsumer`,
 * it happens once per order however often the message comes: the inbox row and the
 * gifts commit together, and an order has one `PAY`.
 */
export async function applyGifts(event: FeedEvent, trx: Knex.Transaction): Promise<void> {
  if (event.type === 'PAY') await issueGifts(trx, event.orderId);
}
