import {
  ORDER_MACHINE_VERSION,
  eventsAcceptedIn,
  snapshotOf,
  statusOf,
  step,
  type OrderStatus,
  type Refusal,
} from '../../machines';
import type { ClaimState } from '../db/coupons.repo';
import type { LoadedOrder } from '../db/orders.repo';
import type { TransitionWrite } from '../db/transitions.repo';
import { AppError } from '../errors';
import { eventData, toEvent, type Intent } from './intents';
import { maySee, maySend, type Actor } from './policy';
import { orderView, type OrderView } from './view';

export interface PlanRequest {
  orderId: string;
  actor: Actor;
  intent: Intent;
  /** Parsed `If-Match`: '*' or the versions it names; absent when not sent. */
  ifMatch?: '*' | number[];
}

/** What to write for a transition, and the order once it is written at `version`. */
export interface TransitionPlan {
  write: TransitionWrite;
  orderAt: (version: number) => OrderView;
}

/**
 * Decides a transition on an order as just read, without I/O: visibility (404),
 * `If-Match` (412), the caller's role (403), then the machine (409 codes). The plan's
 * write carries the read version for the version check.
 * @throws AppError with the contract's code for every refusal.
 */
export function planTransition(order: LoadedOrder | undefined, req: PlanRequest): TransitionPlan {
  if (!order || !maySee(req.actor, order)) {
    throw new AppError('order_not_found', `Order ${req.orderId} does not exist.`);
  }
  checkIfMatch(req.ifMatch, order.version);
  if (!maySend(req.actor, req.intent.type)) {
    throw new AppError('forbidden', `A ${req.actor.role} may not send ${req.intent.type}.`);
  }
  const snapshot = snapshotOf(order.status, {
    totalCents: order.total_cents,
    paidCents: order.paid_cents,
    paymentDueAt: order.payment_due_at.getTime(),
  });
  const result = step(snapshot, toEvent(req.intent, order.db_now.getTime()));
  if (!result.ok) throw refusal(result.refusal, order, req);

  const next = result.next;
  const toStatus = statusOf(next);
  const view = {
    ...orderView(order),
    status: toStatus,
    totalCents: next.context.totalCents,
    paidCents: next.context.paidCents,
    updatedAt: order.db_now.toISOString(),
  };
  return {
    write: {
      orderId: order.id,
      readVersion: order.version,
      totalCents: next.context.totalCents,
      paidCents: next.context.paidCents,
      releaseStock: result.actions.includes('releaseStock'),
      claimState: claimStateAfter(toStatus),
      machineState: { value: next.value, context: next.context },
      machineVersion: ORDER_MACHINE_VERSION,
      event: {
        type: req.intent.type,
        fromStatus: order.status,
        toStatus,
        actorRole: req.actor.role,
        actorId: req.actor.id,
        data: eventData(req.intent, order.total_cents),
        at: order.db_now,
      },
    },
    orderAt: (version) => ({ ...view, version }),
  };
}

/**
 * Where an order's coupon claim goes when the order enters `status`: the machine knows
 * nothing of coupons, the claim follows the order. Paid: redeemed for good (shipping,
 * delivery and a refund keep it so); cancelled (CANCEL or EXPIRE): available again.
 */
function claimStateAfter(status: OrderStatus): ClaimState | null {
  switch (status) {
    case 'paid':
      return 'redeemed';
    case 'cancelled':
      return 'available';
    default:
      return null;
  }
}

function checkIfMatch(ifMatch: PlanRequest['ifMatch'], version: number): void {
  if (ifMatch === undefined || ifMatch === '*' || ifMatch.includes(version)) return;
  throw new AppError(
    'precondition_failed',
    `If-Match does not match the order's version ${version}.`,
    {
      extensions: { currentVersion: version },
    },
  );
}

function refusal(code: Refusal, order: LoadedOrder, req: PlanRequest): AppError {
  switch (code) {
    case 'price_changed':
      return new AppError('price_changed', `The order's total is now ${order.total_cents}.`, {
        extensions: { currentTotalCents: order.total_cents },
      });
    case 'payment_expired':
      return new AppError('payment_expired', 'The time to pay this order is over.', {
        extensions: { paymentDueAt: order.payment_due_at.toISOString() },
      });
    case 'invalid_transition':
      return new AppError(
        'invalid_transition',
        `${req.intent.type} is not allowed when the order is ${order.status}.`,
        {
          extensions: {
            currentStatus: order.status,
            allowedEvents: eventsAcceptedIn(order.status).filter((t) => maySend(req.actor, t)),
          },
        },
      );
  }
}
