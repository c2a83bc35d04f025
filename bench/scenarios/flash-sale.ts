import { randomUUID } from 'node:crypto';
import { createProduct } from '../../src/catalog/create-product';
import { GATED_PRODUCTS, productKeys } from '../../src/catalog/gate';
import type { Db } from '../../src/db/knex';
import type { StormTarget } from '../storm-run';
import { stormScenario } from './storm';
import type { StormRep, StormShape } from './storm-figures';

/** The shape issue 9 reported: 4,000 buyers, 1 unit each, of 200 units; 400 in flight. */
export const FULL_SALE: StormShape = { buyers: 4000, supply: 200, inFlight: 400, instances: 3 };
export const QUICK_SALE: StormShape = { buyers: 600, supply: 30, inFlight: 60, instances: 2 };

/** One sale: the product row afterwards. */
export interface FlashRep extends StormRep {
  /** Units left, units stocked; units its orders hold. */
  left: number;
  stocked: number;
  held: number;
  neverOversold: boolean;
  /** held + left = stocked, and held = the 201 answers. */
  balanced: boolean;
}

const SALE: StormTarget<FlashRep> = {
  create: async (site, shape) => {
    const product = await createProduct(site.db, {
      merchantId: site.merchantId,
      sku: `flash-${randomUUID()}`,
      name: 'Flash sale product',
      priceCents: 1000,
      currency: 'EUR',
      stock: shape.supply,
    });
    return product.id;
  },
  request: (productId) => ({
    path: '/v1/orders',
    body: JSON.stringify({ items: [{ productId, quantity: 1 }] }),
  }),
  metric: 'stock_gate_decisions_total',
  gated: {
    set: GATED_PRODUCTS,
    keys: (merchant, id) => {
      const k = productKeys(merchant, id);
      return [k.state, k.holdings];
    },
  },
  loserCode: 'out_of_stock',
  check: async (site, rep) => {
    const stock = await stockOf(site.db, rep.id);
    return {
      ...rep,
      ...stock,
      neverOversold: stock.held <= stock.stocked && rep.won <= rep.supply,
      balanced: stock.held + stock.left === stock.stocked && stock.held === rep.won,
    };
  },
};

/**
 * 6. A flash sale over HTTP: every buyer (a token of its own) orders one unit of a new
 * product at once, spread over the instances. Coordinator: instances with the Redis
 * stock gate; baseline: the same instances with `STOCK_GATE=false` (PostgreSQL alone);
 * see `runStorms`.
 */
export const flashSale = stormScenario({
  id: 'flash-sale',
  label: 'flash',
  shapes: { full: FULL_SALE, quick: QUICK_SALE },
  target: SALE,
  title: (shape) =>
    `6. Flash sale over HTTP: ${shape.buyers} buyers, 1 unit each, of ${shape.supply}; ` +
    `${shape.inFlight} in flight over ${shape.instances} instances`,
  candidate: 'instances with the Redis stock gate',
  baseline: 'the same instances with STOCK_GATE=false (every order goes to PostgreSQL)',
  words: { answers: 'orders', won: 'units sold', perWin: 'unit sold' },
  problem: (rep) => (rep.neverOversold && rep.balanced ? undefined : 'STOCK MISMATCH'),
  checked: 'Stock checked in PostgreSQL after every sale: never oversold, sold + left = stocked.',
});

async function stockOf(db: Db, productId: string) {
  const { rows } = await db.raw<{ rows: { stock: number; stocked: number; held: string }[] }>(
    `select p.stock, p.stocked,
       (select coalesce(sum(i.quantity), 0) from order_items i join orders o on o.id = i.order_id
        where i.product_id = p.id and o.holds_stock) as held
     from products p where p.id = ?`,
    [productId],
  );
  const row = rows[0];
  return { left: row?.stock ?? NaN, stocked: row?.stocked ?? NaN, held: Number(row?.held ?? NaN) };
}
