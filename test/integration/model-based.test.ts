import { getSimplePaths } from '@xstate/graph';
import request from 'supertest';
import {
  ORDER_EVENT_TYPES,
  eventsAcceptedIn,
  orderMachine,
  type OrderEvent,
  type OrderEventType,
  type OrderSnapshot,
} from '../../machines';
import { runTransition } from '../../src/orders/coordinator';
import { makeOrder, type ApiContext, type Principal, openShop } from '../helpers/api';

/**
 * Every simple path of the order machine, walked through the HTTP API on a fresh
 * order: each step must land in the machine's status, and in every status each event
 * the machine refuses must get 409 invalid_transition and change nothing.
 */
const DUE = Date.now() + 3_600_000;
const paths = getSimplePaths(orderMachine, {
  input: { totalCents: 1000, paidCents: null, paymentDueAt: DUE },
  events: (snapshot: OrderSnapshot): OrderEvent[] => [
    { type: 'PAY', amountCents: snapshot.context.totalCents, at: DUE - 60_000 },
    { type: 'REPRICE', totalCents: 1200 },
    { type: 'CANCEL' },
    { type: 'SHIP' },
    { type: 'DELIVER' },
    { type: 'REFUND' },
    { type: 'EXPIRE', at: DUE + 1 },
  ],
  serializeState: (s) => `${String(s.value)}@${s.context.totalCents}`,
});

const ACTION: Record<Exclude<OrderEventType, 'EXPIRE'>, string> = {
  PAY: 'pay',
  REPRICE: 'reprice',
  CANCEL: 'cancel',
  SHIP: 'ship',
  DELIVER: 'deliver',
  REFUND: 'refund',
};

describe('model-based: every path of the machine through the API', () => {
  let api: ApiContext;
  let merchant: Principal;
  let buyer: Principal;
  let product: { id: string };
  beforeAll(async () => {
    ({ api, merchant, buyer, product } = await openShop({}, { priceCents: 1000, stock: 100_000 }));
  });
  afterAll(async () => api.close());

  /** Sends `event` the way its real sender would; EXPIRE goes through the sweeper's path. */
  async function send(
    orderId: string,
    event: OrderEvent,
    canceller: Principal,
  ): Promise<{ status: number; body: { status?: string; code?: string } }> {
    if (event.type === 'EXPIRE') {
      await api
        .db('orders')
        .where({ id: orderId })
        .update({ payment_due_at: new Date(Date.now() - 1000) });
      try {
        const order = await runTransition(api, {
          orderId,
          actor: { role: 'system', id: 'payment-expiry' },
          intent: { type: 'EXPIRE' },
        });
        return { status: 200, body: { status: order.status } };
      } catch (error) {
        return { status: 409, body: { code: (error as { code?: string }).code ?? 'error' } };
      }
    }
    const who = event.type === 'PAY' ? buyer : event.type === 'CANCEL' ? canceller : merchant;
    const body =
      event.type === 'PAY'
        ? { amountCents: event.amountCents }
        : event.type === 'REPRICE'
          ? { totalCents: event.totalCents }
          : {};
    const res = await request(api.app)
      .post(`/v1/orders/${orderId}/${ACTION[event.type]}`)
      .set(who.auth)
      .send(body);
    return { status: res.status, body: res.body };
  }

  it('has paths to every status', () => {
    const reached = new Set(paths.map((p) => String(p.state.value)));
    expect([...reached].sort()).toEqual([
      'cancelled',
      'delivered',
      'paid',
      'pending_payment',
      'refunded',
      'shipped',
    ]);
  });

  const named = paths.map((p, i) => {
    const events = p.steps
      .map((s) => s.event)
      .filter((e): e is OrderEvent => !e.type.startsWith('xstate.'));
    return [events.map((e) => e.type).join(' -> ') || '(new order)', p, i] as const;
  });

  it.each(named)('path %s', async (_name, path, index) => {
    const order = await makeOrder(api, buyer, [{ productId: product.id, quantity: 1 }]);
    // The buyer cancels on even paths, the merchant on odd ones: both may.
    const canceller = index % 2 === 0 ? buyer : merchant;
    const types: string[] = ['CREATED'];
    for (const { event, state } of path.steps) {
      if (!event.type.startsWith('xstate.')) {
        const res = await send(order.id, event, canceller);
        expect([event.type, res.status, res.body.status]).toEqual([event.type, 200, state.value]);
        types.push(event.type);
      }
      const status = state.value;
      const refused = ORDER_EVENT_TYPES.filter(
        (t) => t !== 'EXPIRE' && !eventsAcceptedIn(status).includes(t),
      );
      for (const type of refused) {
        const res = await send(order.id, { type, amountCents: 1, totalCents: 1, at: 0 }, canceller);
        expect([type, res.status, res.body.code]).toEqual([type, 409, 'invalid_transition']);
      }
    }
    const events = await request(api.app)
      .get(`/v1/orders/${order.id}/events`)
      .set(buyer.auth)
      .expect(200);
    expect(events.body.events.map((e: { type: string }) => e.type)).toEqual(types);
    const final = await request(api.app).get(`/v1/orders/${order.id}`).set(buyer.auth).expect(200);
    expect(final.body).toMatchObject({
      status: path.state.value,
      version: types.length,
      totalCents: path.state.context.totalCents,
    });
  });
});
