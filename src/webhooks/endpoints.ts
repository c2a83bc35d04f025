import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import type { Db, InTransaction } from '../db/knex';
import { deleteWebhook, insertWebhook, listWebhooks, type WebhookRow } from '../db/webhooks.repo';
import { AppError } from '../errors';
import type { Actor } from '../orders/policy';
import { newSecret } from './signing';
import { webhookUrlProblem } from './url-check';

/** Private addresses are refused in production unless WEBHOOK_ALLOW_PRIVATE. */
export const refusesPrivate = (config: Config): boolean =>
  config.NODE_ENV === 'production' && !config.WEBHOOK_ALLOW_PRIVATE;

export function webhookView(row: WebhookRow) {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.event_types,
    createdAt: row.created_at.toISOString(),
  };
}

export type CreatedWebhook = ReturnType<typeof webhookView> & { secret: string };

function merchantOf(actor: Actor): string {
  if (actor.role !== 'merchant') throw new AppError('forbidden', 'Webhooks are for merchants.');
  return actor.id;
}

/**
 * A new endpoint; its `secret` is answered only here.
 * @throws AppError forbidden (not a merchant), invalid_webhook_url.
 */
export async function createWebhook(
  deps: { db: Db; config: Config },
  actor: Actor,
  body: { url: string; eventTypes?: string[] },
  inTransaction?: InTransaction<CreatedWebhook>,
): Promise<CreatedWebhook> {
  const merchantId = merchantOf(actor);
  const problem = await webhookUrlProblem(body.url, refusesPrivate(deps.config));
  if (problem)
    throw new AppError('invalid_webhook_url', `The webhook URL ${problem}.`, {
      extensions: { url: body.url },
    });
  return deps.db.transaction(async (trx) => {
    const row = await insertWebhook(trx, {
      id: randomUUID(),
      merchant_id: merchantId,
      url: body.url,
      event_types: body.eventTypes ?? null,
      secret: newSecret(),
    });
    const created = { ...webhookView(row), secret: row.secret };
    await inTransaction?.(trx, created);
    return created;
  });
}

export async function listMerchantWebhooks(db: Db, actor: Actor) {
  return { webhooks: (await listWebhooks(db, merchantOf(actor))).map(webhookView) };
}

/** @throws AppError webhook_not_found when the merchant has no such endpoint. */
export async function removeWebhook(db: Db, actor: Actor, id: string): Promise<void> {
  if (!(await deleteWebhook(db, merchantOf(actor), id)))
    throw new AppError('webhook_not_found', `Webhook ${id} does not exist.`);
}
