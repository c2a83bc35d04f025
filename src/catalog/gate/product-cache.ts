import type { Db } from '../../db/knex';
import { findProducts, type ProductRow } from '../../db/products.repo';

/** The columns of a product that never change once it exists. */
export type ProductFacts = Pick<
  ProductRow,
  'id' | 'merchant_id' | 'sku' | 'price_cents' | 'currency'
>;

/** Products remembered at most; past it the oldest half is forgotten. */
const MAX_ENTRIES = 10_000;

/**
 * What a product never changes (merchant, SKU, price, currency), read from PostgreSQL
 * once per process, so that the gate can refuse an order without any query: the gate's
 * keys are tagged with the merchant. Stock is never cached here.
 */
export class ProductCache {
  private readonly known = new Map<string, Promise<ProductFacts | undefined>>();

  constructor(private readonly db: Db) {}

  /**
   * The products of `ids` that exist; one query for those not seen before.
   * @throws the database's error (nothing is cached then).
   */
  async get(ids: readonly string[]): Promise<Map<string, ProductFacts>> {
    const unseen = ids.filter((id) => !this.known.has(id));
    if (unseen.length > 0) {
      const rows = findProducts(this.db, unseen).then(
        (found) => new Map(found.map((p) => [p.id, p])),
      );
      if (this.known.size + unseen.length > MAX_ENTRIES) this.forgetOldest();
      for (const id of unseen) {
        const one = rows.then((found) => found.get(id));
        // An unknown product is not remembered: it may be created later.
        this.known.set(id, one);
        one.then(
          (row) => row ?? this.known.delete(id),
          () => this.known.delete(id),
        );
      }
    }
    const found = await Promise.all(
      ids.map((id) => this.known.get(id) ?? Promise.resolve(undefined)),
    );
    return new Map(found.flatMap((row) => (row ? [[row.id, row]] : [])));
  }

  private forgetOldest(): void {
    let drop = Math.ceil(this.known.size / 2);
    for (const id of this.known.keys()) {
      if (drop-- <= 0) break;
      this.known.delete(id);
    }
  }
}
