import type { Api } from './api';
import type { Order } from './types';

/** How far back "orders per second" looks, and the most pages of orders read per tick. */
const WINDOW_MS = 5000;
const MAX_PAGES = 3;

/**
 * Orders per second for each product, from the merchant's newest orders: every tick reads
 * pages of `GET /v1/orders` until it reaches an order it has already seen, and counts the
 * new orders that hold each product over the last 5 s of the browser's clock (so the
 * server's clock does not matter). Beyond 300 new orders a tick it undercounts, and says
 * so with `capped`.
 */
export class SaleRates {
  private seen = new Set<string>();
  private samples: { at: number; counts: Map<string, number> }[] = [];
  private started = false;
  capped = false;

  constructor(private readonly api: Api) {}

  /** Reads what is new since the last tick; the first tick only learns what exists. */
  async tick(now = Date.now()): Promise<void> {
    const fresh: Order[] = [];
    let cursor: string | null = null;
    let reachedSeen = false;
    for (let page = 0; page < MAX_PAGES && !reachedSeen; page++) {
      const query: string = `/v1/orders?limit=100${cursor ? `&cursor=${cursor}` : ''}`;
      const { body } = await this.api.get<{ orders: Order[]; nextCursor: string | null }>(query);
      for (const o of body.orders) {
        if (this.seen.has(o.id)) {
          reachedSeen = true;
          break;
        }
        fresh.push(o);
      }
      cursor = body.nextCursor;
      if (!cursor) reachedSeen = true;
    }
    this.capped = this.started && !reachedSeen;
    fresh.forEach((o) => this.seen.add(o.id));
    if (!this.started) {
      this.started = true;
      return;
    }
    const counts = new Map<string, number>();
    for (const o of fresh) {
      for (const id of new Set(o.items.map((i) => i.productId)))
        counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    this.samples.push({ at: now, counts });
    this.samples = this.samples.filter((s) => s.at > now - WINDOW_MS);
  }

  /** Orders per second holding `productId` over the window. */
  rate(productId: string): number {
    const total = this.samples.reduce((n, s) => n + (s.counts.get(productId) ?? 0), 0);
    return total / (WINDOW_MS / 1000);
  }
}
