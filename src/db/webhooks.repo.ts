import type { Knex } from 'knex';

export interface WebhookRow {
  id: string;
  merchant_id: string;
  url: string;
  event_types: string[] | null;
  secret: string;
  created_at: Date;
}

export async function insertWebhook(db: Knex, row: Omit<WebhookRow, 'created_at'>) {
  const [created] = (await db('webhook_endpoints').insert(row).returning('*')) as WebhookRow[];
  if (!created) throw new Error('webhook not inserted');
  return created;
}

export async function listWebhooks(db: Knex, merchantId: string): Promise<WebhookRow[]> {
  return db<WebhookRow>('webhook_endpoints')
    .where({ merchant_id: merchantId })
    .orderBy([{ column: 'created_at' }, { column: 'id' }]);
}

/** @returns false when the merchant has no endpoint `id`. */
export async function deleteWebhook(db: Knex, merchantId: string, id: string): Promise<boolean> {
  return (await db('webhook_endpoints').where({ id, merchant_id: merchantId }).del()) > 0;
}

/**
 * Schedules an event for every endpoint of the order's merchant that subscribes to its
 * type and existed when the event was decided; `body` makes each endpoint's body.
 */
export async function scheduleDeliveries(
  trx: Knex,
  e: { id: string; orderId: string; seq: number; type: string; at: string },
  body: string,
): Promise<number> {
  const result = await trx.raw<{ rowCount: number }>(
    `insert into webhook_deliveries (endpoint_id, event_id, order_id, seq, body)
     select w.id, ?, ?, ?, ? from webhook_endpoints w join orders o on o.merchant_id = w.merchant_id
     where o.id = ? and w.created_at <= ? and (w.event_types is null or ? = any(w.event_types))
     on conflict do nothing`,
    [e.id, e.orderId, e.seq, body, e.orderId, e.at, e.type],
  );
  return result.rowCount;
}

export interface DueDelivery {
  endpoint_id: string;
  event_id: string;
  body: string;
  url: string;
  secret: string;
  attempts: number;
  first_attempt_at: Date;
}

/**
 * Claims up to `limit` due deliveries, each the oldest pending one of its endpoint and
 * order (event n + 1 waits for n): counts the attempt and leases the row for `leaseMs`
 * (no other sender takes it meanwhile; a sender that died leaves it to be retried).
 */
export async function claimDeliveries(
  db: Knex,
  limit: number,
  leaseMs: number,
): Promise<DueDelivery[]> {
  const result = await db.raw<{ rows: DueDelivery[] }>(
    `with due as (
       select c.endpoint_id, c.event_id from webhook_deliveries c
       join webhook_endpoints ce on ce.id = c.endpoint_id
       where c.status = 'pending' and c.next_attempt_at <= now()
         and not exists (select 1 from webhook_deliveries p where p.endpoint_id = c.endpoint_id
           and p.order_id = c.order_id and p.status = 'pending' and p.seq < c.seq)
         -- Every earlier event of the order this endpoint subscribes to has its row already:
         -- consumers on several instances schedule in any order, and event n + 1 must not
         -- go out while event n is still on its way to the table.
         and not exists (select 1 from order_events e where e.order_id = c.order_id
           and e.seq < c.seq and e.at >= ce.created_at
           and (ce.event_types is null or e.type = any(ce.event_types))
           and not exists (select 1 from webhook_deliveries q where q.endpoint_id = c.endpoint_id
             and q.order_id = e.order_id and q.seq = e.seq))
       order by c.next_attempt_at limit ? for update of c skip locked
     )
     update webhook_deliveries d set attempts = d.attempts + 1,
       next_attempt_at = now() + ? * interval '1 millisecond',
       first_attempt_at = coalesce(d.first_attempt_at, now())
     from due, webhook_endpoints w
     where d.endpoint_id = due.endpoint_id and d.event_id = due.event_id and w.id = d.endpoint_id
     returning d.endpoint_id, d.event_id, d.body, w.url, w.secret, d.attempts, d.first_attempt_at`,
    [limit, leaseMs],
  );
  return result.rows;
}

/** Records an attempt's outcome: delivered, retried after `retryInMs`, or given up. */
export async function recordAttempt(
  db: Knex,
  d: Pick<DueDelivery, 'endpoint_id' | 'event_id'>,
  outcome: {
    status: 'delivered' | 'pending' | 'given_up';
    httpStatus: number | null;
    error: string | null;
    retryInMs: number;
  },
): Promise<void> {
  await db.raw(
    `update webhook_deliveries set status = ?, last_status = ?, last_error = ?,
       next_attempt_at = now() + ? * interval '1 millisecond',
       delivered_at = case when ? = 'delivered' then now() end
     where endpoint_id = ? and event_id = ?`,
    [
      outcome.status,
      outcome.httpStatus,
      outcome.error,
      outcome.retryInMs,
      outcome.status,
      d.endpoint_id,
      d.event_id,
    ],
  );
}
