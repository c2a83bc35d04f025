import type { Db } from '../../db/knex';
import type { GateFill, GateKind } from './fill';
import { countInFlight } from './in-flight';
import { GATED_PRODUCTS, productKeys } from './keys';

/**
 * Reads the stock gate state of `productIds` from PostgreSQL (read only: the gate never
 * writes the database), in one statement outside any transaction, so stock and
 * holdings come from one snapshot: left (products.stock), the per-buyer limit and the
 * sale start in epoch ms (0 when none), and buyer_holdings (limited products only).
 */
async function readProductFills(db: Db, productIds: readonly string[]): Promise<GateFill[]> {
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
  return rows.map((r) => {
    const keys = productKeys(r.merchant_id, r.id);
    return {
      keys: { state: keys.state, holders: keys.holdings },
      fields: [
        ['left', r.stock],
        ['limit', r.per_buyer_limit ?? 0],
        ['startsAtMs', r.sale_starts_at?.getTime() ?? 0],
      ],
      holders: r.holdings ?? [],
      registry: { set: GATED_PRODUCTS, member: `${r.merchant_id}/${r.id}` },
    };
  });
}

/** Products as the stock gate keeps them. */
export const PRODUCT_GATE: GateKind = {
  name: 'stock gate',
  registry: GATED_PRODUCTS,
  read: readProductFills,
  countInFlight,
};
