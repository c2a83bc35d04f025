import { Router } from 'express';
import type { Config } from '../../config';
import type { Db } from '../../db/knex';
import { AppError } from '../../errors';
import { createWebhook, listMerchantWebhooks, removeWebhook } from '../../webhooks/endpoints';
import { actorOf } from '../auth';
import { idempotent } from '../idempotency';
import { webhookCreated } from '../responses';
import { createWebhookBody } from '../schemas/webhooks';
import { parse, parseId } from '../validation';

const notFound = (id: unknown) =>
  new AppError('webhook_not_found', `Webhook ${String(id)} does not exist.`);

/** Webhook endpoints (`/v1/webhooks`), the merchant's own. */
export function webhooksRouter(deps: { db: Db; config: Config }): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const actor = actorOf(req);
    const body = parse(createWebhookBody, req.body ?? {}, 'body');
    await idempotent(
      deps,
      req,
      res,
      actor,
      (inTransaction) => createWebhook(deps, actor, body, inTransaction),
      webhookCreated,
    );
  });

  router.get('/', async (req, res) => {
    res.json(await listMerchantWebhooks(deps.db, actorOf(req)));
  });

  router.delete('/:id', async (req, res) => {
    const actor = actorOf(req);
    await removeWebhook(deps.db, actor, parseId(req.params.id, notFound(req.params.id)));
    res.status(204).end();
  });

  return router;
}
