import type { Db, InTransaction } from '../db/knex';
import { findProduct, insertProduct, type NewProduct } from '../db/products.repo';
import { uniqueViolation } from '../db/pg-errors';
import { AppError } from '../errors';
import { productView, type ProductView } from '../orders/view';

/**
 * Adds a product to a merchant's catalogue. `inTransaction` runs in the product's
 * transaction, after its write, with the new product.
 * @returns the new product.
 * @throws AppError sku_exists when the merchant already has that SKU; invalid_gift when
 * `giftProductId` is not a product of the same merchant.
 */
export async function createProduct(
  db: Db,
  product: NewProduct,
  inTransaction?: InTransaction<ProductView>,
): Promise<ProductView> {
  try {
    return await db.transaction(async (trx) => {
      if (product.giftProductId !== undefined) {
        // Products are never deleted and never change merchant: a check before the
        // insert stays true (the foreign key covers the rest).
        const gift = await findProduct(trx, product.giftProductId);
        if (gift?.merchant_id !== product.merchantId) {
          throw new AppError(
            'invalid_gift',
            `Product ${product.giftProductId} is not one of your products.`,
            { extensions: { giftProductId: product.giftProductId } },
          );
        }
      }
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
