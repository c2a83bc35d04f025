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
 * Rows that never change once they exist (a product's merchant and price, a coupon's
 * terms), read from PostgreSQL once per process, so that a gate can refuse a request
 * without any query: its keys are tagged with the merchant. Nothing that changes (stock,
 * claims) is ever cached here.
 */
export class ImmutableRowCache<T extends { id: string }> {
  private readonly known = new Map<string, Promise<T | undefined>>();

  constructor(
    private readonly db: Db,
    private readonly load: (db: Db, ids: readonly string[]) => Promise<T[]>,
  ) {}

  /**
   * The rows of `ids` that exist; one query for those not seen before.
   * @throws the database's error (nothing is cached then).
   */
  async get(ids: readonly string[]): Promise<Map<string, T>> {
    const unseen = ids.filter((id) => !this.known.has(id));
    if (unseen.length > 0) {
      const rows = this.load(this.db, unseen).then((found) => new Map(found.map((p) => [p.id, p])));
      if (this.known.size + unseen.length > MAX_ENTRIES) this.forgetOldest();
      for (const id of unseen) {
        const one = rows.then((found) => found.get(id));
        // An unknown id is not remembered: it may be created later.
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

/**
 * What a product never changes (merchant, SKU, price, currency): the stock gate's
 * orders are refused without a query. Stock is never cached here.
 */
export class ProductCache extends ImmutableRowCache<ProductFacts> {
  constructor(db: Db) {
    super(db, findProducts);
  }
}
