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
  per_buyer_limit: number | null;
  sale_starts_at: Date | null;
  gift_product_id: string | null;
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
  perBuyerLimit?: number | undefined;
  saleStartsAt?: Date | undefined;
  giftProductId?: string | undefined;
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
      per_buyer_limit: p.perBuyerLimit ?? null,
      sale_starts_at: p.saleStartsAt ?? null,
      gift_product_id: p.giftProductId ?? null,
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

export interface ProductFilter {
  merchantId?: string;
  /** The id of the last product of the previous page. */
  after?: string;
  limit: number;
}

/** Newest first, keyset-paginated on (created_at, id) like the orders. */
export async function listProducts(db: Knex, f: ProductFilter): Promise<ProductRow[]> {
  const where: string[] = [];
  const args: Knex.Value[] = [];
  if (f.merchantId !== undefined) {
    where.push('p.merchant_id = ?');
    args.push(f.merchantId);
  }
  if (f.after !== undefined) {
    where.push('(p.created_at, p.id) < (select c.created_at, c.id from products c where c.id = ?)');
    args.push(f.after);
  }
  const result = await db.raw<{ rows: ProductRow[] }>(
    `select p.* from products p ${where.length > 0 ? `where ${where.join(' and ')}` : ''}
     order by p.created_at desc, p.id desc limit ?`,
    [...args, f.limit],
  );
  return result.rows;
}

/** The most units a product can have been stocked with: its columns are 4-byte integers. */
export const MAX_STOCKED = 2_147_483_647;

/**
 * Adds `quantity` units to what is left and to what was stocked, in one statement (the
 * row lock makes it atomic with concurrent reservations), if `merchantId` owns it and
 * the total stocked stays within {@link MAX_STOCKED}.
 * @returns the product after the change, or undefined when nothing was changed.
 */
export async function restockProduct(
  db: Knex,
  merchantId: string,
  id: string,
  quantity: number,
): Promise<ProductRow | undefined> {
  const [row] = await db<ProductRow>('products')
    .where({ id, merchant_id: merchantId })
    .andWhereRaw('stocked::bigint + ? <= ?', [quantity, MAX_STOCKED])
    .update({
      stock: db.raw('stock + ?', [quantity]),
      stocked: db.raw('stocked + ?', [quantity]),
      updated_at: db.fn.now(),
    })
    .returning('*');
  return row;
}
