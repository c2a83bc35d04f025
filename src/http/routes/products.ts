import { Router } from 'express';
import { z } from 'zod';
import { createProduct } from '../../catalog/create-product';
import type { Config } from '../../config';
import type { Db } from '../../db/knex';
import { AppError } from '../../errors';
import { getProduct } from '../../orders/queries';
import { actorOf } from '../auth';
import { idempotent } from '../idempotency';
import { parse, parseId, text } from '../validation';

const createSchema = z
  .object({
    sku: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 . _ -'),
    name: text(200),
    /** At most 10^9 minor units, so that 50 lines x 1000 units stay exact integers. */
    priceCents: z.number().int().min(0).max(1_000_000_000),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code')
      .default('USD'),
    stock: z.number().int().min(0).max(1_000_000_000),
  })
  .strict();

export function productsRouter(deps: { db: Db; config: Config }): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const actor = actorOf(req);
    if (actor.role !== 'merchant') throw new AppError('forbidden', 'Only merchants add products.');
    const body = parse(createSchema, req.body ?? {}, 'body');
    await idempotent(deps, req, res, actor, (idempotency) =>
      createProduct(deps.db, { merchantId: actor.id, ...body }, idempotency),
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
