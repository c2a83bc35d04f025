import type { Db } from '../db/knex';
import type { IdempotencyHandle, StoredResponse } from '../db/idempotency.repo';
import { insertProduct, type NewProduct } from '../db/products.repo';
import { uniqueViolation } from '../db/pg-errors';
import { AppError } from '../errors';
import { storeAnswer } from '../orders/answers';
import { productView } from '../orders/view';

/**
 * Adds a product to a merchant's catalogue.
 * @returns 201 with the product and its Location.
 * @throws AppError sku_exists when the merchant already has that SKU.
 */
export async function createProduct(
  db: Db,
  product: NewProduct,
  idempotency?: IdempotencyHandle,
): Promise<StoredResponse> {
  try {
    return await db.transaction(async (trx) => {
      const row = await insertProduct(trx, product);
      const response: StoredResponse = {
        status: 201,
        headers: { Location: `/v1/products/${row.id}` },
        body: productView(row),
      };
      await storeAnswer(trx, idempotency, response);
      return response;
    });
  } catch (error) {
    if (uniqueViolation(error) === 'products_merchant_id_sku_unique') {
      throw new AppError('sku_exists', `You already have a product with SKU ${product.sku}.`);
    }
    throw error;
  }
}
