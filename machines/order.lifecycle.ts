import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import {
  ORDER_EVENT_TYPES,
  isPaymentOverdue,
  amountMatchesTotal,
  orderMachine,
  type OrderContext,
  type OrderEvent,
  type OrderEventType,
  type OrderStatus,
} from './order.machine';

export type OrderSnapshot = SnapshotFrom<typeof orderMachine>;

/** Rebuilds the snapshot of an order from its stored status and context. */
export function snapshotOf(status: OrderStatus, context: OrderContext): OrderSnapshot {
  return orderMachine.resolveState({ value: status, context });
}

/** The snapshot of a new order. */
export function initialSnapshot(context: OrderContext): OrderSnapshot {
  return initialTransition(orderMachine, context)[0];
}

export function statusOf(snapshot: OrderSnapshot): OrderStatus {
  return snapshot.value;
}

/** The event types a status has a transition for, whatever their guards say. */
export function eventsAcceptedIn(status: OrderStatus): OrderEventType[] {
  const node = orderMachine.states[status];
  return ORDER_EVENT_TYPES.filter((type) => node?.transitions.has(type) === true);
}

/** Why the machine refuses an event: the contract's error code for it. */
export type Refusal = 'invalid_transition' | 'payment_expired' | 'price_changed';

/**
 * The outcome of sending `event` to `snapshot`: the next snapshot and the names of the
 * actions the caller must run (`releaseStock`), or the reason it is refused.
 */
export type Step =
  { ok: true; next: OrderSnapshot; actions: string[] } | { ok: false; refusal: Refusal };

export function step(snapshot: OrderSnapshot, event: OrderEvent): Step {
  if (!snapshot.can(event)) return { ok: false, refusal: refusalOf(snapshot, event) };
  const [next, actions] = transition(orderMachine, snapshot, event);
  return {
    ok: true,
    next,
    actions: actions.map((a) => a.type).filter((t) => !t.startsWith('xstate.')),
  };
}

function refusalOf(snapshot: OrderSnapshot, event: OrderEvent): Refusal {
  if (!eventsAcceptedIn(statusOf(snapshot)).includes(event.type)) return 'invalid_transition';
  if (event.type === 'PAY') {
    if (isPaymentOverdue(snapshot.context, event.at)) return 'payment_expired';
    if (!amountMatchesTotal(snapshot.context, event.amountCents)) return 'price_changed';
  }
  // EXPIRE before the due time: the order is not overdue, nothing to expire.
  return 'invalid_transition';
}
