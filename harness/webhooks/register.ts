import type { Subscription } from '../types';
import { createdBody } from '../workload/setup';
import type { World } from '../workload/world';
import type { WebhookReceiver } from './receiver';

/** The types the second merchant subscribes to (the others: every type). */
const SOME_TYPES = ['CREATED', 'PAY', 'CANCEL', 'EXPIRE', 'REFUND'];

/**
 * Registers one endpoint per merchant on the receiver (`POST /v1/webhooks`; the
 * instances do not run with NODE_ENV=production, so a 127.0.0.1 URL is accepted) and
 * gives the receiver each secret. The second merchant subscribes to some types only, so
 * that the filter is checked too.
 */
export async function registerWebhooks(
  world: World,
  receiver: WebhookReceiver,
): Promise<Subscription[]> {
  const out: Subscription[] = [];
  for (const [i, merchant] of world.merchants.entries()) {
    const eventTypes = i === 1 ? SOME_TYPES : null;
    const body = await createdBody(world, {
      kind: 'create-webhook',
      path: '/v1/webhooks',
      actor: merchant,
      body: { url: receiver.urlFor(merchant.id), ...(eventTypes ? { eventTypes } : {}) },
      idempotencyKey: `webhook-${world.rng.token(16)}`,
    });
    if (typeof body.secret !== 'string') throw new Error('POST /v1/webhooks gave no secret');
    receiver.register(merchant.id, body.secret);
    out.push({ merchantId: merchant.id, eventTypes });
  }
  return out;
}
