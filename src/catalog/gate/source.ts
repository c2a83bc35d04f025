import type { Db } from '../../db/knex';

/** One product's gate state as PostgreSQL has it. */
export interface GateSource {
  productId: string;
  merchantId: string;
  /** products.stock: units left. */
  left: number;
  /** The per-buyer limit; 0 when there is none. */
  limit: number;
  /** The sale start in epoch ms; 0 when there is none. */
  startsAtMs: number;
  /** buyer_holdings of the product (limited products only), as [buyerId, held]. */
  holdings: [string, number][];
}

/**
 * Reads the gate state of `productIds` from PostgreSQL (read only: the gate never
 * writes the database), in one statement outside any transaction, so stock and
 * holdings come from one snapshot.
 */
export async function readGateSources(
  db: Db,
  productIds: readonly string[],
): Promise<GateSource[]> {
  if (productIds.length === 0) return [];
  const { rows } = await db.raw<{
    rows: {
      id: string;
      merchant_id: string;
      stock: number;
      per_buyer_limit: number | null;
      sale_starts_at: Date | null;
      holdings: [string, number][] | null;
    }[];
  }>(
    `select p.id, p.merchant_id, p.stock, p.per_buyer_limit, p.sale_starts_at,
       (select json_agg(json_build_array(b.buyer_id, b.held)) from buyer_holdings b
        where b.product_id = p.id and b.held > 0 and p.per_buyer_limit is not null) as holdings
     from products p where p.id = any(?::uuid[])`,
    [[...productIds]],
  );
  return rows.map((r) => ({
    productId: r.id,
    merchantId: r.merchant_id,
    left: r.stock,
    limit: r.per_buyer_limit ?? 0,
    startsAtMs: r.sale_starts_at?.getTime() ?? 0,
    holdings: r.holdings ?? [],
  }));
}
