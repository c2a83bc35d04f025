import type { Knex } from 'knex';

export interface ProductRow {
  id: string;
  merchant_id: string;
  sku: string;
  name: string;
  price_cents: number;
  currency: string;
  stock: number;
  stocked: number;
  created_at: Date;
  updated_at: Date;
}

export interface NewProduct {
  merchantId: string;
  sku: string;
  name: string;
  priceCents: number;
  currency: string;
  stock: number;
}

export async function insertProduct(db: Knex, p: NewProduct): Promise<ProductRow> {
  const [row] = await db<ProductRow>('products')
    .insert({
      merchant_id: p.merchantId,
      sku: p.sku,
      name: p.name,
      price_cents: p.priceCents,
      currency: p.currency,
      stock: p.stock,
      stocked: p.stock,
    })
    .returning('*');
  if (!row) throw new Error('insert returned no row');
  return row;
}

export async function findProduct(db: Knex, id: string): Promise<ProductRow | undefined> {
  return db<ProductRow>('products').where({ id }).first();
}

export async function findProducts(db: Knex, ids: readonly string[]): Promise<ProductRow[]> {
  return db<ProductRow>('products').whereIn('id', ids);
}

/**
 * Takes `quantity` units of each product, all or none: each row is decremented only if
 * enough is left (the row lock makes the check and the write one step), in product-id
 * order so that two orders never wait on each other's rows in a cycle.
 * @returns the id of a product with too little stock (the caller rolls back), else undefined.
 */
export async function reserveStock(
  trx: Knex.Transaction,
  wanted: ReadonlyMap<string, number>,
): Promise<string | undefined> {
  for (const productId of [...wanted.keys()].sort()) {
    const quantity = wanted.get(productId) ?? 0;
    const updated = await trx('products')
      .where('id', productId)
      .andWhere('stock', '>=', quantity)
      .update({ stock: trx.raw('stock - ?', [quantity]), updated_at: trx.fn.now() });
    if (updated !== 1) return productId;
  }
  return undefined;
}
