import { Router } from 'express';
import type { CouponGate } from '../../catalog/gate';
import type { Config } from '../../config';
import { claimCoupon } from '../../coupons/claim-coupon';
import { createCoupon } from '../../coupons/create-coupon';
import { getClaims, getCoupon } from '../../coupons/queries';
import type { Db } from '../../db/knex';
import { AppError } from '../../errors';
import { actorOf } from '../auth';
import { idempotent } from '../idempotency';
import { claimed, couponCreated } from '../responses';
import { claimBody, createCouponBody as createSchema } from '../schemas/coupons';
import { parse, parseId } from '../validation';

const notFound = (id: unknown) =>
  new AppError('coupon_not_found', `Coupon ${String(id)} does not exist.`);

export function couponsRouter(deps: {
  db: Db;
  config: Config;
  couponGate?: CouponGate | undefined;
}): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const actor = actorOf(req);
    if (actor.role !== 'merchant') throw new AppError('forbidden', 'Only merchants add coupons.');
    const body = parse(createSchema, req.body ?? {}, 'body');
    await idempotent(
      deps,
      req,
      res,
      actor,
      (inTransaction) => createCoupon(deps.db, { merchantId: actor.id, ...body }, inTransaction),
      couponCreated,
    );
  });

  // Before `/:id`: "claimed" is not a coupon id.
  router.get('/claimed', async (req, res) => {
    const actor = actorOf(req);
    if (actor.role !== 'buyer') throw new AppError('forbidden', 'Only buyers have claims.');
    res.json(await getClaims(deps.db, actor.id));
  });

  router.get('/:id', async (req, res) => {
    const id = parseId(req.params.id, notFound(req.params.id));
    actorOf(req);
    res.json(await getCoupon(deps.db, id));
  });

  router.post('/:id/claim', async (req, res) => {
    const actor = actorOf(req);
    const couponId = parseId(req.params.id, notFound(req.params.id));
    if (actor.role !== 'buyer') throw new AppError('forbidden', 'Only buyers claim coupons.');
    parse(claimBody, req.body ?? {}, 'body');
    await idempotent(
      deps,
      req,
      res,
      actor,
      (inTransaction) => claimCoupon(deps, { actor, couponId, inTransaction }),
      claimed,
    );
  });

  return router;
}
