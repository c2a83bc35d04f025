import {
  ORDER_STATUSES,
  eventsAcceptedIn,
  initialSnapshot,
  replay,
  snapshotOf,
  statusOf,
  step,
  type OrderContext,
  type OrderEvent,
  type OrderSnapshot,
} from '../../machines';

const due = Date.parse('2026-01-01T00:15:00Z');
const before = due - 60_000;
const after = due + 1;
const ctx = (over: Partial<OrderContext> = {}): OrderContext => ({
  totalCents: 1000,
  paidCents: null,
  paymentDueAt: due,
  ...over,
});

function apply(snapshot: OrderSnapshot, event: OrderEvent): OrderSnapshot {
  const result = step(snapshot, event);
  if (!result.ok) throw new Error(`refused: ${result.refusal}`);
  return result.next;
}

describe('order machine', () => {
  it('when created, then it waits for payment', () => {
    expect(statusOf(initialSnapshot(ctx()))).toBe('pending_payment');
  });

  it('when paid with the exact total before the due time, then paid with paidCents set', () => {
    const next = apply(initialSnapshot(ctx()), { type: 'PAY', amountCents: 1000, at: before });
    expect(statusOf(next)).toBe('paid');
    expect(next.context.paidCents).toBe(1000);
  });

  it('when paid with another amount, then price_changed and nothing moves', () => {
    const start = initialSnapshot(ctx());
    expect(step(start, { type: 'PAY', amountCents: 999, at: before })).toEqual({
      ok: false,
      refusal: 'price_changed',
    });
  });

  it('when paid after the due time, then payment_expired (even with the right amount)', () => {
    const start = initialSnapshot(ctx());
    expect(step(start, { type: 'PAY', amountCents: 1000, at: after })).toEqual({
      ok: false,
      refusal: 'payment_expired',
    });
    expect(step(start, { type: 'PAY', amountCents: 1, at: after })).toMatchObject({
      refusal: 'payment_expired',
    });
  });

  it('when repriced, then the total changes and the status stays', () => {
    const next = apply(initialSnapshot(ctx()), { type: 'REPRICE', totalCents: 1500 });
    expect(statusOf(next)).toBe('pending_payment');
    expect(next.context.totalCents).toBe(1500);
    expect(step(next, { type: 'PAY', amountCents: 1000, at: before })).toMatchObject({
      refusal: 'price_changed',
    });
    expect(statusOf(apply(next, { type: 'PAY', amountCents: 1500, at: before }))).toBe('paid');
  });

  it.each([
    ['CANCEL', { type: 'CANCEL' }],
    ['EXPIRE after the due time', { type: 'EXPIRE', at: after }],
  ] as const)('when %s, then cancelled and the stock is released', (_name, event) => {
    const result = step(initialSnapshot(ctx()), event);
    expect(result).toMatchObject({ ok: true, actions: ['releaseStock'] });
    if (result.ok) expect(statusOf(result.next)).toBe('cancelled');
  });

  it('when EXPIRE comes before the due time, then it is refused', () => {
    expect(step(initialSnapshot(ctx()), { type: 'EXPIRE', at: before })).toEqual({
      ok: false,
      refusal: 'invalid_transition',
    });
  });

  it('when paid, shipped and delivered, then delivered is final', () => {
    let s = apply(initialSnapshot(ctx()), { type: 'PAY', amountCents: 1000, at: before });
    s = apply(s, { type: 'SHIP', trackingNumber: 'T1' });
    expect(statusOf(s)).toBe('shipped');
    s = apply(s, { type: 'DELIVER' });
    expect(statusOf(s)).toBe('delivered');
    expect(s.status).toBe('done');
  });

  it('when refunded after payment, then refunded and the stock is released', () => {
    const paid = apply(initialSnapshot(ctx()), { type: 'PAY', amountCents: 1000, at: before });
    expect(step(paid, { type: 'REFUND' })).toMatchObject({ ok: true, actions: ['releaseStock'] });
  });

  it('accepts exactly the events of the contract table in each status', () => {
    expect(Object.fromEntries(ORDER_STATUSES.map((s) => [s, eventsAcceptedIn(s)]))).toEqual({
      pending_payment: ['PAY', 'REPRICE', 'CANCEL', 'EXPIRE'],
      paid: ['SHIP', 'REFUND'],
      shipped: ['DELIVER'],
      delivered: [],
      cancelled: [],
      refunded: [],
    });
  });

  it.each(['delivered', 'cancelled', 'refunded'] as const)(
    'when %s, then every event is refused (final status)',
    (status) => {
      const s = snapshotOf(status, ctx({ paidCents: 1000 }));
      const events: OrderEvent[] = [
        { type: 'PAY', amountCents: 1000, at: before },
        { type: 'REPRICE', totalCents: 5 },
        { type: 'CANCEL' },
        { type: 'SHIP' },
        { type: 'DELIVER' },
        { type: 'REFUND' },
        { type: 'EXPIRE', at: after },
      ];
      for (const event of events)
        expect(step(s, event)).toMatchObject({ ok: false, refusal: 'invalid_transition' });
    },
  );

  it('when rebuilt from a stored status and context, then it behaves as the live one', () => {
    const rebuilt = snapshotOf('paid', ctx({ paidCents: 1000 }));
    expect(statusOf(apply(rebuilt, { type: 'SHIP' }))).toBe('shipped');
  });
});

describe('replay', () => {
  const at = (ms: number) => new Date(ms).toISOString();
  const created = { type: 'CREATED', data: { items: [], totalCents: 1000 }, at: at(before - 1000) };
  const dueIso = at(due);

  it('when the events are a legal history, then it reproduces status and totals', () => {
    const result = replay(
      [
        created,
        { type: 'REPRICE', data: { totalCents: 800, previousTotalCents: 1000 }, at: at(before) },
        { type: 'PAY', data: { amountCents: 800 }, at: at(before + 1) },
        { type: 'REFUND', data: {}, at: at(before + 2) },
      ],
      dueIso,
    );
    expect(result).toEqual({ ok: true, status: 'refunded', totalCents: 800, paidCents: 800 });
  });

  it('when a PAY does not match the latest total, then it points at that event', () => {
    const result = replay(
      [
        created,
        { type: 'REPRICE', data: { totalCents: 800 }, at: at(before) },
        { type: 'PAY', data: { amountCents: 1000 }, at: at(before + 1) },
      ],
      dueIso,
    );
    expect(result).toMatchObject({ ok: false, index: 2 });
  });

  it('when an event follows a final status, then it is caught', () => {
    const result = replay(
      [
        created,
        { type: 'CANCEL', data: {}, at: at(before) },
        { type: 'SHIP', data: {}, at: at(before) },
      ],
      dueIso,
    );
    expect(result).toMatchObject({ ok: false, index: 2 });
  });

  it('when the first event is not CREATED, then it is caught', () => {
    expect(
      replay([{ type: 'PAY', data: { amountCents: 1 }, at: at(before) }], dueIso),
    ).toMatchObject({
      ok: false,
      index: 0,
    });
  });
});
