import { Router } from 'express';
import type { Db } from '../../db/knex';
import { feedScope, listFeed } from '../../events/feed';
import { liveStart, streamFeed } from '../../events/live';
import { AppError } from '../../errors';
import { parsePosition } from '../../events/position';
import { actorOf } from '../auth';
import { listEventsQuery, streamEventsQuery } from '../schemas/events';
import { parse } from '../validation';

/** The events feed (`/v1/events`). */
export function eventsRouter(deps: { db: Db }): Router {
  const router = Router();

  router.get('/', async (req, res) => {
    const actor = actorOf(req);
    const query = parse(listEventsQuery, req.query, 'query');
    res.json(await listFeed(deps.db, actor, { after: query.after, limit: query.limit }));
  });

  router.get('/stream', async (req, res) => {
    const scope = feedScope(actorOf(req));
    parse(streamEventsQuery, req.query, 'query');
    const last = req.get('last-event-id');
    if (last !== undefined && parsePosition(last) === undefined) {
      throw new AppError('validation_failed', 'Last-Event-ID is not an event id.', {
        extensions: { errors: [{ path: 'headers.last-event-id', message: 'is not an event id' }] },
      });
    }
    const after = await liveStart(deps.db, last);
    await streamFeed(deps.db, res, scope, after, { pollMs: 100, keepAliveMs: 15_000 });
  });

  return router;
}
