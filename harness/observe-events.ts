import type { Knex } from 'knex';
import { backlogOf } from './backlog';
import type { ApiClient } from './http/client';
import type { Identity } from './http/tokens';
import { pollUntil, sleep } from '../support/time';
import type { FeedEvent, FeedObservation, Subscription, WebhookObservation } from './types';
import { asNumber, asObject } from './util/json';
import type { WebhookReceiver } from './webhooks/receiver';

/** `<orderId>/<seq>`: one event of one order. */
export const eventKey = (orderId: string, seq: number): string => `${orderId}/${seq}`;

/**
 * Each merchant's feed, `GET /v1/events` from the start in pages of 500, as that
 * merchant (it sees its own orders' events only, so other runs' events never mix in).
 * A page that fails is asked again, up to 5 times.
 * @throws Error when a page cannot be read.
 */
export async function readFeeds(
  client: ApiClient,
  merchants: readonly Identity[],
  port: () => number,
): Promise<FeedObservation> {
  const byMerchant = new Map<string, FeedEvent[]>();
  for (const merchant of merchants) {
    const events: FeedEvent[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await readPage(client, merchant, port, after);
      events.push(...page.events);
      if (page.nextCursor === undefined || page.events.length === 0) break;
      after = page.nextCursor;
    }
    byMerchant.set(merchant.id, events);
  }
  return { byMerchant };
}

async function readPage(
  client: ApiClient,
  merchant: Identity,
  port: () => number,
  after: string | undefined,
): Promise<{ events: FeedEvent[]; nextCursor: string | undefined }> {
  const query = `limit=500${after !== undefined ? `&after=${encodeURIComponent(after)}` : ''}`;
  for (let attempt = 1; ; attempt++) {
    const { record, json } = await client.send({
      kind: 'read-events',
      method: 'GET',
      path: `/v1/events?${query}`,
      actor: merchant,
      port: port(),
      unrecorded: true,
    });
    const body = asObject(json);
    if (record.status === 200 && Array.isArray(body?.events)) {
      return {
        events: body.events.map(toFeedEvent),
        nextCursor: typeof body.nextCursor === 'string' ? body.nextCursor : undefined,
      };
    }
    if (attempt >= 5) throw new Error(`GET /v1/events failed: ${record.status ?? record.error}`);
    await sleep(300 * attempt);
  }
}

function toFeedEvent(raw: unknown): FeedEvent {
  const e = asObject(raw) ?? {};
  return {
    id: String(e.id),
    orderId: String(e.orderId),
    seq: asNumber(e.seq) ?? -1,
    type: String(e.type),
  };
}

/** The subscribed events of the run's merchants that the receiver has not acknowledged yet. */
async function unacknowledged(
  db: Knex,
  subscriptions: readonly Subscription[],
  receiver: WebhookReceiver,
): Promise<number> {
  const acked = new Set(
    receiver.deliveries
      .filter((d) => d.answered >= 200 && d.answered < 300 && d.orderId !== undefined)
      .map((d) => eventKey(d.orderId ?? '', d.seq ?? -1)),
  );
  let missing = 0;
  for (const s of subscriptions) {
    const rows = await db('order_events as e')
      .join('orders as o', 'o.id', 'e.order_id')
      .where('o.merchant_id', s.merchantId)
      .select<{ order_id: string; seq: number; type: string }[]>('e.order_id', 'e.seq', 'e.type');
    for (const r of rows) {
      if (s.eventTypes && !s.eventTypes.includes(r.type)) continue;
      if (!acked.has(eventKey(r.order_id, r.seq))) missing++;
    }
  }
  return missing;
}

/**
 * Waits (at most `timeoutMs`) until the relay, the consumers and the senders have caught
 * up: every subscribed event of the run's merchants acknowledged by the receiver and no
 * delivery left pending. @returns what the receiver got and what was still pending.
 */
export async function settleWebhooks(
  db: Knex,
  subscriptions: Subscription[],
  receiver: WebhookReceiver,
  timeoutMs: number,
): Promise<WebhookObservation> {
  const merchantIds = subscriptions.map((s) => s.merchantId);
  await pollUntil(
    async () =>
      (await unacknowledged(db, subscriptions, receiver)) === 0 &&
      (await backlogOf(db, merchantIds)).webhooks === 0,
    timeoutMs,
    500,
  );
  const pending = (await backlogOf(db, merchantIds)).webhooks;
  return { subscriptions, deliveries: [...receiver.deliveries], pending };
}
