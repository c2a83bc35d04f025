import type { Db, InTransaction } from '../db/knex';
import { insertProduct, type NewProduct } from '../db/products.repo';
import { uniqueViolation } from '../db/pg-errors';
import { AppError } from '../errors';
import { productView, type ProductView } from '../orders/view';

/**
 * Adds a product to a merchant's catalogue. `inTransaction` runs in the product's
 * transaction, after its write, with the new product.
 * @returns the new product.
 * @throws AppError sku_exists when the merchant already has that SKU.
 */
export async function createProduct(
  db: Db,
  product: NewProduct,
  inTransaction?: InTransaction<ProductView>,
): Promise<ProductView> {
  try {
    return await db.transaction(async (trx) => {
      const created = productView(await insertProduct(trx, product));
      await inTransaction?.(trx, created);
      return created;
    });
  } catch (error) {
    if (uniqueViolation(error) === 'products_merchant_id_sku_unique') {
      throw new AppError('sku_exists', `You already have a product with SKU ${product.sku}.`);
    }
    throw error;
  }
}
