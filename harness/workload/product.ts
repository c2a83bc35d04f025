import type { Identity } from '../http/tokens';

/** A product the run created: the workload orders it as its merchant's. */
export interface Product {
  id: string;
  merchant: Identity;
  priceCents: number;
}
