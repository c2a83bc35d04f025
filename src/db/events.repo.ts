import type { Knex } from 'knex';
import type { OrderStatus } from '../../machines';

/**
 * The columns of an `order_events` row: order, number and version (event n has seq and
 * version n), then what {@link eventPayload} gives. The one place that knows the table's
 * layout (order creation and transitions both write it).
 */
export const EVENT_COLUMNS =
  'order_id, seq, version, type, from_status, to_status, actor_role, actor_id, data, at';

export interface EventRow {
  seq: number;
  type: string;
  from_status: OrderStatus | null;
  to_status: OrderStatus;
  version: number;
  actor_role: string;
  actor_id: string;
  data: Record<string, unknown>;
  at: Date;
}

/** What an event records, apart from its order and number. */
export interface NewEvent {
  type: string;
  fromStatus: OrderStatus | null;
  toStatus: OrderStatus;
  actorRole: string;
  actorId: string;
  data: Record<string, unknown>;
  at: Date;
}

/** The values of EVENT_COLUMNS after order, seq and version, in that order. */
export function eventPayload(e: NewEvent): Knex.Value[] {
  return [e.type, e.fromStatus, e.toStatus, e.actorRole, e.actorId, JSON.stringify(e.data), e.at];
}

/** Appends event `seq` of an order. */
export async function insertEvent(
  db: Knex,
  orderId: string,
  seq: number,
  e: NewEvent,
): Promise<void> {
  await db.raw(
    `insert into order_events (${EVENT_COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [orderId, seq, seq, ...eventPayload(e)],
  );
}

/** An order's events, oldest first. */
export async function listEvents(db: Knex, orderId: string): Promise<EventRow[]> {
  return db<EventRow>('order_events')
    .select(
      'seq',
      'type',
      'from_status',
      'to_status',
      'version',
      'actor_role',
      'actor_id',
      'data',
      'at',
    )
    .where('order_id', orderId)
    .orderBy('seq', 'asc');
}
