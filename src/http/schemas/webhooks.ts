import { ORDER_EVENT_TYPES } from '../../../machines';
import { id, timestamp, uuid } from './common';
import { z } from './zod';

const eventType = z.enum(['CREATED', ...ORDER_EVENT_TYPES]);

/** `POST /v1/webhooks` body. */
export const createWebhookBody = z
  .object({
    url: z
      .string()
      .max(2000)
      .url()
      .openapi({ description: 'http or https', example: 'https://shop.example/hooks' }),
    eventTypes: z
      .array(eventType)
      .min(1)
      .optional()
      .openapi({ description: 'Only these event types; absent: all.' }),
  })
  .strict()
  .openapi('CreateWebhookRequest');

/** Path parameter of `/v1/webhooks/{id}`. */
export const webhookIdParams = z.object({ id: uuid.openapi({ description: "The webhook's id." }) });

const fields = {
  id,
  url: z.string(),
  eventTypes: z.array(eventType).nullable().openapi({ description: 'Null: every event type.' }),
  createdAt: timestamp,
};

/** An endpoint as listed (no secret). */
export const Webhook = z.object(fields).strict().openapi('Webhook');

/** The answer to its creation: the only time the secret is shown. */
export const CreatedWebhook = z
  .object({
    ...fields,
    secret: z.string().openapi({
      description: '`whsec_` + base64: the Standard Webhooks signing secret. Shown only here.',
    }),
  })
  .strict()
  .openapi('CreatedWebhook');

export const WebhookList = z
  .object({ webhooks: z.array(Webhook) })
  .strict()
  .openapi('WebhookList');
