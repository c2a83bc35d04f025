import { Router } from 'express';
import { createProduct } from '../../catalog/create-product';
import type { Config } from '../../config';
import type { Db } from '../../db/knex';
import { AppError } from '../../errors';
import { getProduct } from '../../orders/queries';
import { actorOf } from '../auth';
import { idempotent } from '../idempotency';
import { productCreated } from '../responses';
import { createProductBody as createSchema } from '../schemas/products';
import { parse, parseId } from '../validation';

export function productsRouter(deps: { db: Db; config: Config }): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const actor = actorOf(req);
    if (actor.role !== 'merchant') throw new AppError('forbidden', 'Only merchants add products.');
    const body = parse(createSchema, req.body ?? {}, 'body');
    await idempotent(
      deps,
      req,
      res,
      actor,
      (inTransaction) => createProduct(deps.db, { merchantId: actor.id, ...body }, inTransaction),
      productCreated,
    );
  });

  router.get('/:id', async (req, res) => {
    const id = parseId(
      req.params.id,
      new AppError('product_not_found', `Product ${req.params.id} does not exist.`),
    );
    actorOf(req);
    res.json(await getProduct(deps.db, id));
  });

  return router;
}
