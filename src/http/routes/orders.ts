import { Router } from 'express';
import type { Config } from '../../config';
import type { Db } from '../../db/knex';
import { AppError } from '../../errors';
import {
  runTransition,
  type CoordinatorDeps,
  type TransitionRequest,
} from '../../orders/coordinator';
import { createOrder } from '../../orders/create-order';
import { getOrder, getOrderEvents, listVisibleOrders } from '../../orders/queries';
import { actorOf } from '../auth';
import { idempotent } from '../idempotency';
import { etagOf, orderCreated, transitioned } from '../responses';
import {
  ACTIONS,
  createOrderBody as createSchema,
  listOrdersQuery as listSchema,
} from '../schemas/orders';
import { parse, parseId } from '../validation';

const notFound = (id: unknown) =>
  new AppError('order_not_found', `Order ${String(id)} does not exist.`);

/** `If-Match`: `*` or a list of strong ETags `"<version>"`; a weak one never matches. */
export function parseIfMatch(header: string | undefined): TransitionRequest['ifMatch'] {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return '*';
  const versions: number[] = [];
  for (const tag of header.split(',').map((t) => t.trim())) {
    const match = /^(W\/)?"(\d{1,9})"$/.exec(tag);
    if (!match?.[2]) {
      throw new AppError(
        'validation_failed',
        'If-Match must be * or a list of "<version>" ETags.',
        {
          extensions: {
            errors: [{ path: 'headers.if-match', message: 'must be * or "<version>"' }],
          },
        },
      );
    }
    if (!match[1]) versions.push(Number(match[2]));
  }
  return versions;
}

export function ordersRouter(deps: CoordinatorDeps & { db: Db; config: Config }): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const actor = actorOf(req);
    if (actor.role !== 'buyer') throw new AppError('forbidden', 'Only buyers place orders.');
    const body = parse(createSchema, req.body ?? {}, 'body');
    await idempotent(
      deps,
      req,
      res,
      actor,
      (inTransaction) => createOrder(deps, { actor, items: body.items, inTransaction }),
      orderCreated,
    );
  });

  router.get('/', async (req, res) => {
    const actor = actorOf(req);
    const query = parse(listSchema, req.query, 'query');
    res.json(
      await listVisibleOrders(deps.db, actor, {
        limit: query.limit,
        status: query.status,
        after: query.cursor,
      }),
    );
  });

  router.get('/:id', async (req, res) => {
    const order = await getOrder(
      deps.db,
      actorOf(req),
      parseId(req.params.id, notFound(req.params.id)),
    );
    res.setHeader('ETag', etagOf(order.version)).json(order);
  });

  router.get('/:id/events', async (req, res) => {
    res.json(
      await getOrderEvents(deps.db, actorOf(req), parseId(req.params.id, notFound(req.params.id))),
    );
  });

  router.post('/:id/:action', async (req, res, next) => {
    const action = req.params.action as keyof typeof ACTIONS;
    if (!Object.hasOwn(ACTIONS, action)) return next();
    const actor = actorOf(req);
    const orderId = parseId(req.params.id, notFound(req.params.id));
    const intent = parse(ACTIONS[action], req.body ?? {}, 'body');
    const ifMatch = parseIfMatch(req.headers['if-match']);
    await idempotent(
      deps,
      req,
      res,
      actor,
      (inTransaction) => runTransition(deps, { orderId, actor, intent, ifMatch, inTransaction }),
      transitioned,
    );
  });

  return router;
}
