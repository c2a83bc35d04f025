import type { Product } from './product';

/** A flash sale under way, as the faults that aim at one see it. */
export interface LiveSale {
  round: number;
  product: Product;
  /** Unix epoch ms from which its orders may succeed. */
  startsAt: number;
  /** Buyers of the round; a probe orders as another one, so that it stays within the limit. */
  buyers: ReadonlySet<string>;
  /** Buyers a probe already used on this product. */
  probed: Set<string>;
  /** Resolves when the round's last answer has arrived. */
  ended: Promise<void>;
  over: boolean;
  /** A fault already aims at it (one Redis fault per sale, so that each lands in time). */
  aimed: boolean;
}

/** Announces each flash sale as it opens, for the faults that aim at the middle of one. */
export class SaleBoard {
  private waiters: ((sale: LiveSale) => void)[] = [];

  /** Announces a sale; call the returned function when its last answer has arrived. */
  open(sale: Omit<LiveSale, 'ended' | 'over' | 'probed' | 'aimed'>): () => void {
    let end: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const live: LiveSale = { ...sale, ended, over: false, probed: new Set(), aimed: false };
    for (const wake of this.waiters.splice(0)) wake(live);
    return () => {
      live.over = true;
      end();
    };
  }

  /** The next sale to open. */
  next(): Promise<LiveSale> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}
