import { assign, setup } from 'xstate';

/** Stored with every order: the version of the machine that wrote its snapshot. */
export const ORDER_MACHINE_VERSION = '1';

export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'shipped',
  'delivered',
  'cancelled',
  'refunded',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** After one of these, no event is accepted (guarantee 3). */
export const FINAL_STATUSES: readonly OrderStatus[] = ['delivered', 'cancelled', 'refunded'];

export const ORDER_EVENT_TYPES = [
  'PAY',
  'REPRICE',
  'CANCEL',
  'SHIP',
  'DELIVER',
  'REFUND',
  'EXPIRE',
] as const;
export type OrderEventType = (typeof ORDER_EVENT_TYPES)[number];

export interface OrderContext {
  /** Minor units: what the buyer must pay now. */
  totalCents: number;
  /** Minor units, null until paid. */
  paidCents: number | null;
  /** Epoch milliseconds: a PAY after this is refused, an EXPIRE after it is accepted. */
  paymentDueAt: number;
}

/** `at` is the time of the event in epoch milliseconds (the database's clock). */
export type OrderEvent =
  | { type: 'PAY'; amountCents: number; at: number }
  | { type: 'REPRICE'; totalCents: number; reason?: string }
  | { type: 'CANCEL'; reason?: string }
  | { type: 'SHIP'; trackingNumber?: string }
  | { type: 'DELIVER' }
  | { type: 'REFUND'; reason?: string }
  | { type: 'EXPIRE'; at: number };

/** True when the payment window has closed at `at` (epoch ms). */
export const isPaymentOverdue = (context: OrderContext, at: number): boolean =>
  at > context.paymentDueAt;

/** True when `amountCents` is exactly the order's current total. */
export const amountMatchesTotal = (context: OrderContext, amountCents: number): boolean =>
  amountCents === context.totalCents;

/**
 * The order lifecycle. Pure: no timers (a sweeper sends EXPIRE), no I/O. The one
 * side effect, `releaseStock`, is an action the coordinator runs itself in the same
 * database transaction as the transition.
 */
export const orderMachine = setup({
  types: {
    context: {} as OrderContext,
    events: {} as OrderEvent,
    input: {} as OrderContext,
  },
  guards: {
    paymentAccepted: ({ context, event }) =>
      event.type === 'PAY' &&
      !isPaymentOverdue(context, event.at) &&
      amountMatchesTotal(context, event.amountCents),
    paymentOverdue: ({ context, event }) =>
      event.type === 'EXPIRE' && isPaymentOverdue(context, event.at),
  },
  actions: {
    recordPayment: assign({
      paidCents: ({ context, event }) =>
        event.type === 'PAY' ? event.amountCents : context.paidCents,
    }),
    applyNewTotal: assign({
      totalCents: ({ context, event }) =>
        event.type === 'REPRICE' ? event.totalCents : context.totalCents,
    }),
    /** Gives the order's reserved stock back; run by the coordinator. */
    releaseStock: () => undefined,
  },
}).createMachine({
  id: 'order',
  initial: 'pending_payment',
  context: ({ input }) => input,
  states: {
    pending_payment: {
      on: {
        PAY: { target: 'paid', guard: 'paymentAccepted', actions: 'recordPayment' },
        REPRICE: { actions: 'applyNewTotal' },
        CANCEL: { target: 'cancelled', actions: 'releaseStock' },
        EXPIRE: { target: 'cancelled', guard: 'paymentOverdue', actions: 'releaseStock' },
      },
    },
    paid: {
      on: {
        SHIP: { target: 'shipped' },
        REFUND: { target: 'refunded', actions: 'releaseStock' },
      },
    },
    shipped: { on: { DELIVER: { target: 'delivered' } } },
    delivered: { type: 'final' },
    cancelled: { type: 'final' },
    refunded: { type: 'final' },
  },
});

export type OrderMachine = typeof orderMachine;
