import { feedCursor } from '../../events/feed';
import { cursorParam, id } from './common';
import { OrderEvent } from './orders';
import { z } from './zod';

/** `GET /v1/events` query. */
export const listEventsQuery = z
  .object({
    after: cursorParam(feedCursor.decode),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();

/** One event of the feed: an order's event with its global id and order. */
export const FeedEvent = z
  .object({
    id: z.string().openapi({
      description: 'Global id, given when its transaction commits; compare only for equality.',
      example: '7390-1542',
    }),
    orderId: id,
    ...OrderEvent.shape,
  })
  .strict()
  .openapi('FeedEvent');

/** One page of `GET /v1/events`, oldest first. */
export const EventPage = z
  .object({
    events: z.array(FeedEvent),
    nextCursor: z.string().openapi({
      description:
        'Pass as `after` for the next page. Never null: on the last page it is where the next events will come, so poll it again.',
    }),
  })
  .strict()
  .openapi('EventPage');

/** `GET /v1/events/stream` query: only the token, for clients that cannot send headers. */
export const streamEventsQuery = z
  .object({
    access_token: z
      .string()
      .optional()
      .openapi({ description: 'The bearer token, for EventSource (never logged).' }),
  })
  .strict();

/** The body of `GET /v1/events/stream`: `id: <event id>` and `data: <FeedEvent JSON>` per event. */
export const EventStream = z.string().openapi({
  description:
    'Server-sent events: per event `id: <its id>` and `data: <the FeedEvent as JSON>`; comment lines keep the connection alive. Reconnect with `Last-Event-ID` to go on without a gap or repeat.',
});
