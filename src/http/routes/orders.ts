import { Router } from 'express';
import type { Config } from '../../config';
import type { Db } from '../../db/knex';
import { AppError } from '../../errors';
import {
  runTransition,
  type CoordinatorDeps,
  type TransitionRequest,
} from '../../orders/coordinator';
import { runBulkTransitions } from '../../orders/bulk';
import { createOrder } from '../../orders/create-order';
import { getOrder, getOrderEvents, listVisibleOrders } from '../../orders/queries';
import { actorOf } from '../auth';
import { idempotent } from '../idempotency';
import { bulkAnswered, etagOf, orderCreated, transitioned } from '../responses';
import {
  ACTIONS,
  BULK_ACTIONS,
  bulkBody,
  type BulkAction,
  createOrderBody as createSchema,
  listOrdersQuery as listSchema,
} from '../schemas/orders';
import { ifMatchVersions } from '../schemas/common';
import { parse, parseId } from '../validation';

const BULK_BODIES = Object.fromEntries(BULK_ACTIONS.map((a) => [a, bulkBody(a)])) as Record<
  BulkAction,
  ReturnType<typeof bulkBody>
>;

const notFound = (id: unknown) =>
  new AppError('order_not_found', `Order ${String(id)} does not exist.`);

/** `If-Match`: `*` or a list of strong ETags `"<version>"`; a weak one never matches. */
export function parseIfMatch(header: string | undefined): TransitionRequest['ifMatch'] {
  if (header === undefined) return undefined;
  const parsed = ifMatchVersions(header);
  if (parsed === undefined) {
    throw new AppError('validation_failed', 'If-Match must be * or a list of "<version>" ETags.', {
      extensions: {
        errors: [{ path: 'headers.if-match', message: 'must be * or "<version>"' }],
      },
    });
  }
  return parsed;
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
      (inTransaction) =>
        createOrder(deps, { actor, items: body.items, couponId: body.couponId, inTransaction }),
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

  // Before '/:id/:action', which would take `bulk` for an order id.
  router.post('/bulk/:action', async (req, res, next) => {
    const action = req.params.action as BulkAction;
    if (!Object.hasOwn(BULK_BODIES, action)) return next();
    const actor = actorOf(req);
    if (actor.role !== 'merchant') {
      throw new AppError('forbidden', 'Only merchants send bulk transitions.');
    }
    const { orders } = parse(BULK_BODIES[action], req.body ?? {}, 'body');
    const entries = orders.map((o) => ({ orderId: o.id, ifMatch: o.ifMatch, intent: o.body }));
    await idempotent(
      deps,
      req,
      res,
      actor,
      (inTransaction) => runBulkTransitions(deps, actor, entries, inTransaction),
      bulkAnswered,
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
