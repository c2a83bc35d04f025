import type { Knex } from 'knex';

/** What the events consumers and senders still owe the run's merchants. */
export interface Backlog {
  /** Paid orders of products with a gift that have no gift yet. */
  gifts: number;
  /** `webhook_deliveries` rows of the run's merchants' endpoints not yet delivered. */
  webhooks: number;
}

/** Reads the backlog of the gifts consumer and the webhook sender for the run's merchants. */
export async function backlogOf(db: Knex, merchantIds: string[]): Promise<Backlog> {
  const gifts = await db.raw<{ rows: { n: number }[] }>(
    `select count(*)::int as n from orders o
     where o.merchant_id = any(?::text[])
       and exists (select 1 from order_events e where e.order_id = o.id and e.type = 'PAY')
       and exists (select 1 from order_items i join products p on p.id = i.product_id
                   where i.order_id = o.id and p.gift_product_id is not null)
       and not exists (select 1 from order_gifts g where g.order_id = o.id)`,
    [merchantIds],
  );
  const webhooks = await db.raw<{ rows: { n: number }[] }>(
    `select count(*)::int as n from webhook_deliveries d
     join webhook_endpoints w on w.id = d.endpoint_id
     where w.merchant_id = any(?::text[]) and d.status = 'pending'`,
    [merchantIds],
  );
  return { gifts: gifts.rows[0]?.n ?? 0, webhooks: webhooks.rows[0]?.n ?? 0 };
}
