import type { Db, InTransaction } from '../db/knex';
import { MAX_STOCKED, findProduct, restockProduct } from '../db/products.repo';
import { AppError } from '../errors';
import { productView, type ProductView } from '../orders/view';
import type { StockGate } from './gate';

export interface RestockRequest {
  merchantId: string;
  productId: string;
  /** Units to add, 1 to 10^9. */
  quantity: number;
  /** Runs in the restock's transaction, after its write, with the product. */
  inTransaction?: InTransaction<ProductView>;
}

/**
 * Adds units to a product's stock, atomically (one conditional update: concurrent orders
 * take from the new stock at once, none are lost), also while a sale is running. After
 * the commit the units are added to the stock gate's too (best effort: the reconciler
 * repairs a lost add within one period).
 * @returns the product after the restock.
 * @throws AppError product_not_found when there is no such product; forbidden when
 * another merchant owns it (products are public, so its existence is no secret);
 * validation_failed when the product would have been stocked with more than
 * {@link MAX_STOCKED} units in all.
 */
export async function restock(
  deps: { db: Db; gate?: StockGate | undefined },
  req: RestockRequest,
): Promise<ProductView> {
  const product = await deps.db.transaction(async (trx) => {
    const row = await restockProduct(trx, req.merchantId, req.productId, req.quantity);
    if (!row) throw await whyNot(trx, req);
    const view = productView(row);
    await req.inTransaction?.(trx, view);
    return view;
  });
  await deps.gate?.restocked(req.merchantId, req.productId, req.quantity);
  return product;
}

/** Why the restock's conditional update matched no row. */
async function whyNot(db: Db, req: RestockRequest): Promise<AppError> {
  const product = await findProduct(db, req.productId);
  if (!product)
    return new AppError('product_not_found', `Product ${req.productId} does not exist.`);
  if (product.merchant_id !== req.merchantId)
    return new AppError('forbidden', `Product ${req.productId} is another merchant's.`);
  const room = MAX_STOCKED - product.stocked;
  return new AppError('validation_failed', `At most ${room} more units fit this product.`, {
    extensions: {
      errors: [{ path: 'body.quantity', message: `must be at most ${room} for this product` }],
    },
  });
}
