import type { EventRow } from '../db/events.repo';
import type { OrderRow } from '../db/orders.repo';
import type { ProductRow } from '../db/products.repo';

/** The order as the API shows it. */
export interface OrderView {
  id: string;
  buyerId: string;
  merchantId: string;
  status: string;
  items: OrderRow['items'];
  couponId: string | null;
  discountCents: number;
  totalCents: number;
  currency: string;
  paidCents: number | null;
  version: number;
  paymentDueAt: string;
  gifts: OrderRow['gifts'];
  createdAt: string;
  updatedAt: string;
}

export function orderView(row: OrderRow): OrderView {
  return {
    id: row.id,
    buyerId: row.buyer_id,
    merchantId: row.merchant_id,
    status: row.status,
    items: row.items,
    couponId: row.coupon_id,
    discountCents: row.discount_cents,
    totalCents: row.total_cents,
    currency: row.currency.trim(),
    paidCents: row.paid_cents,
    version: row.version,
    paymentDueAt: row.payment_due_at.toISOString(),
    gifts: row.gifts,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function eventView(row: EventRow) {
  return {
    seq: row.seq,
    type: row.type,
    fromStatus: row.from_status,
    toStatus: row.to_status,
    version: row.version,
    actor: { role: row.actor_role, id: row.actor_id },
    data: row.data,
    at: row.at.toISOString(),
  };
}

/** The product as the API shows it; the flash-sale fields are null when not set. */
export function productView(row: ProductRow) {
  return {
    id: row.id,
    merchantId: row.merchant_id,
    sku: row.sku,
    name: row.name,
    priceCents: row.price_cents,
    currency: row.currency.trim(),
    stock: row.stock,
    perBuyerLimit: row.per_buyer_limit,
    saleStartsAt: row.sale_starts_at?.toISOString() ?? null,
    giftProductId: row.gift_product_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export type ProductView = ReturnType<typeof productView>;
