import { EventPage, EventStream, listEventsQuery, streamEventsQuery } from '../../schemas/events';
import {
  CreatedWebhook,
  WebhookList,
  createWebhookBody,
  webhookIdParams,
} from '../../schemas/webhooks';
import type { Endpoint } from '../endpoint';

/** The events feed (src/http/routes/events.ts). */
export const EVENT_ENDPOINTS: Endpoint[] = [
  {
    method: 'get',
    path: '/v1/events',
    operationId: 'listEvents',
    summary: 'Read the events feed, oldest first (merchant: its orders; admin: all)',
    description:
      "Every committed event exactly once, each order's in `seq` order, never one that rolled back, however transactions interleave. Resume with `after` = an earlier page's `nextCursor`; `limit` 1 to 500 (default 100).",
    tag: 'Events',
    query: listEventsQuery,
    success: { status: 200, description: 'One page of events.', schema: EventPage },
    problems: ['validation_failed', 'forbidden', 'dependency_unavailable'],
  },
  {
    method: 'get',
    path: '/v1/events/stream',
    operationId: 'streamEvents',
    summary: 'Follow events live as server-sent events (merchant: its orders; admin: all)',
    description:
      'Starts after `Last-Event-ID` (an event id) when sent, else with the events that commit from now on. The token may come as `?access_token=`.',
    tag: 'Events',
    query: streamEventsQuery,
    success: {
      status: 200,
      description: 'An endless `text/event-stream`.',
      schema: EventStream,
      mediaType: 'text/event-stream',
    },
    problems: ['validation_failed', 'forbidden', 'dependency_unavailable'],
  },
];

/** Webhook endpoints (src/http/routes/webhooks.ts). */
export const WEBHOOK_ENDPOINTS: Endpoint[] = [
  {
    method: 'post',
    path: '/v1/webhooks',
    operationId: 'createWebhook',
    summary: 'Add a webhook endpoint (merchant)',
    description:
      "Each matching event of the merchant's orders committed after this is POSTed to `url` as `{ id, type, orderId, event, order }` with the Standard Webhooks headers `webhook-id` (the event's id), `webhook-timestamp` and `webhook-signature`. 2xx acknowledges; anything else or no answer within the timeout is retried with growing delays; per order, event n + 1 waits for n. With NODE_ENV=production a URL resolving to a private address is refused unless WEBHOOK_ALLOW_PRIVATE.",
    tag: 'Events',
    body: { schema: createWebhookBody, required: true },
    requestHeaders: ['IdempotencyKey'],
    success: {
      status: 201,
      description: 'The endpoint with its secret (shown only here).',
      schema: CreatedWebhook,
      headers: ['Location'],
    },
    problems: ['validation_failed', 'forbidden', 'invalid_webhook_url', 'dependency_unavailable'],
  },
  {
    method: 'get',
    path: '/v1/webhooks',
    operationId: 'listWebhooks',
    summary: "List the caller's webhook endpoints (merchant), oldest first",
    tag: 'Events',
    success: { status: 200, description: 'The endpoints, without secrets.', schema: WebhookList },
    problems: ['forbidden', 'dependency_unavailable'],
  },
  {
    method: 'delete',
    path: '/v1/webhooks/{id}',
    operationId: 'deleteWebhook',
    summary: 'Remove a webhook endpoint (the owning merchant)',
    description: 'Pending deliveries to it are dropped. Another merchant gets 404.',
    tag: 'Events',
    params: webhookIdParams,
    success: { status: 204, description: 'Removed.' },
    problems: ['forbidden', 'webhook_not_found', 'dependency_unavailable'],
  },
];
