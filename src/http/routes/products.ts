import { Router } from 'express';
import { createProduct } from '../../catalog/create-product';
import { listVisibleProducts } from '../../catalog/list-products';
import type { StockGate } from '../../catalog/gate';
import { restock } from '../../catalog/restock-product';
import type { Config } from '../../config';
import type { Db } from '../../db/knex';
import { AppError } from '../../errors';
import { getProduct } from '../../orders/queries';
import { actorOf } from '../auth';
import { idempotent } from '../idempotency';
import { productCreated, productRestocked } from '../responses';
import {
  createProductBody as createSchema,
  listProductsQuery as listSchema,
  restockBody as restockSchema,
} from '../schemas/products';
import { parse, parseId } from '../validation';

const notFound = (id: unknown) =>
  new AppError('product_not_found', `Product ${String(id)} does not exist.`);

export function productsRouter(deps: { db: Db; config: Config; gate?: StockGate }): Router {
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

  router.get('/', async (req, res) => {
    const actor = actorOf(req);
    const query = parse(listSchema, req.query, 'query');
    res.json(
      await listVisibleProducts(deps.db, actor, { limit: query.limit, after: query.cursor }),
    );
  });

  router.get('/:id', async (req, res) => {
    const id = parseId(req.params.id, notFound(req.params.id));
    actorOf(req);
    res.json(await getProduct(deps.db, id));
  });

  router.post('/:id/restock', async (req, res) => {
    const actor = actorOf(req);
    const productId = parseId(req.params.id, notFound(req.params.id));
    if (actor.role !== 'merchant')
      throw new AppError('forbidden', 'Only the merchant who sells a product restocks it.');
    const { quantity } = parse(restockSchema, req.body ?? {}, 'body');
    await idempotent(
      deps,
      req,
      res,
      actor,
      (inTransaction) =>
        restock(deps, { merchantId: actor.id, productId, quantity, inTransaction }),
      productRestocked,
    );
  });

  return router;
}
