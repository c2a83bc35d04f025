import { checkHistory, replayByContract } from '../../harness/checker';
import { replayByMachine } from '../../harness/checker/machine-replay';
import { flashRound, HistoryBuilder } from '../../harness/checker/synthetic';
import type { FlashObservation, Violation } from '../../harness/types';

function check(h: HistoryBuilder, flash: FlashObservation[] = []): Violation[] {
  return checkHistory(h.requests, { ...h.observation(), flash }, { replay: replayByContract });
}

function kinds(violations: Violation[]): string[] {
  return violations.map((v) => `${v.guarantee}:${v.kind}`);
}

/** A busy but correct history: every guarantee holds. */
function goodHistory(): HistoryBuilder {
  const h = new HistoryBuilder();
  const shoes = h.product(10);
  const a = h.order(1000, [{ product: shoes, quantity: 2 }]);
  a.read();
  a.apply('reprice', { totalCents: 1200 });
  a.read();
  a.apply('pay', { amountCents: 1200 }, { idempotencyKey: 'k1' });
  // The buyer retries its payment with the same key: a replay of the first answer.
  a.request('pay', {
    outcome: 'ok',
    status: 200,
    version: 3,
    orderStatus: 'paid',
    body: { amountCents: 1200 },
    idempotencyKey: 'k1',
    replayed: true,
  });
  a.apply('ship');
  a.apply('deliver');

  const b = h.order(500, [{ product: shoes, quantity: 3 }]);
  // A pay that raced a cancel and lost: 409, nothing changed.
  a.request('pay', {
    outcome: 'rejected',
    status: 409,
    code: 'invalid_transition',
    body: { amountCents: 1 },
  });
  b.apply('cancel');

  const c = h.order(700, [{ product: shoes, quantity: 1 }]);
  // Two concurrent requests with one key: one runs, the other is told it is in flight.
  const sent = h.tick();
  c.request('reprice', {
    outcome: 'rejected',
    status: 409,
    code: 'idempotency_key_in_flight',
    body: { totalCents: 800 },
    idempotencyKey: 'k2',
    sentMs: sent + 1,
    recvMs: sent + 3,
  });
  const run = c.apply('reprice', { totalCents: 800 }, { idempotencyKey: 'k2' });
  run.sentMs = sent;
  // A payment whose answer was lost (the instance died): it did happen.
  c.event('PAY', { amountCents: 800 }, c.buyer);
  c.request('pay', { outcome: 'unknown', error: 'socket hang up', body: { amountCents: 800 } });
  // A refund that timed out and did not happen, and the sweeper's work elsewhere.
  c.request('refund', { outcome: 'unknown', error: 'timeout' });
  const d = h.order(300);
  d.paymentDueAt = Date.UTC(2026, 0, 1);
  d.event('EXPIRE', {}, { role: 'system', id: 'payment-expiry' });
  // Two overlapping successes may come back in either order.
  const e = h.order(100);
  const t = h.tick();
  e.apply('reprice', { totalCents: 150 }).sentMs = t;
  e.apply('reprice', { totalCents: 160 }).sentMs = t;
  return h;
}

describe('the harness checker', () => {
  it('when every guarantee holds, then it reports nothing', () => {
    expect(check(goodHistory())).toEqual([]);
  });

  describe('guarantee 1: every 2xx is one event, versions 1..n', () => {
    it('when a version is missing, then it reports a gap and the order version mismatch', () => {
      const h = goodHistory();
      h.orders[0]!.events.splice(2, 1);
      expect(kinds(check(h))).toEqual(expect.arrayContaining(['1:version-gap']));
    });

    it('when the order version is not its number of events, then it is reported', () => {
      const h = goodHistory();
      h.orders[1]!.overrides.version = 3;
      expect(kinds(check(h))).toContain('1:order-version-mismatch');
    });

    it('when a 200 has no event of its own, then it is reported', () => {
      const h = new HistoryBuilder();
      const o = h.order();
      o.apply('reprice', { totalCents: 5 });
      // Another 200 with the same version: two successes, one event.
      o.request('reprice', { outcome: 'ok', status: 200, version: 2, body: { totalCents: 5 } });
      o.request('cancel', { outcome: 'ok', status: 200, version: 3, orderStatus: 'cancelled' });
      expect(kinds(check(h))).toEqual(
        expect.arrayContaining(['1:two-successes-one-event', '1:success-without-event']),
      );
    });

    it('when an event only a 409 request could explain exists, then it is a phantom', () => {
      const h = new HistoryBuilder();
      const o = h.order();
      o.request('cancel', { outcome: 'rejected', status: 409, code: 'order_busy' });
      o.event('CANCEL', {}, o.buyer);
      const found = check(h).filter((v) => v.kind === 'phantom-event');
      expect(found).toHaveLength(1);
      expect(found[0]!.message).toContain('409 order_busy');
    });

    it('when an unknown outcome maps to zero or one event, then both are fine, but not two', () => {
      const h = new HistoryBuilder();
      const o = h.order();
      o.request('reprice', {
        outcome: 'unknown',
        status: 503,
        code: 'dependency_unavailable',
        body: { totalCents: 9 },
      });
      expect(check(h)).toEqual([]);
      o.event('REPRICE', { totalCents: 9 }, o.merchant);
      expect(check(h)).toEqual([]);
      o.event('REPRICE', { totalCents: 9 }, o.merchant);
      expect(kinds(check(h))).toEqual(['1:phantom-event']);
    });

    it('when the events API disagrees with the table, then it is reported', () => {
      const h = goodHistory();
      const obs = h.observation();
      obs.dbEvents.set('o1', obs.dbEvents.get('o1')!.slice(0, 3));
      const found = checkHistory(h.requests, obs, { replay: replayByContract });
      expect(kinds(found)).toContain('1:events-api-mismatch');
    });

    it('when a 200 shows an event of another type or amount, then it is reported', () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.event('REPRICE', { totalCents: 900 }, o.merchant);
      o.request('reprice', { outcome: 'ok', status: 200, version: 2, body: { totalCents: 800 } });
      expect(kinds(check(h))).toEqual(expect.arrayContaining(['1:success-event-mismatch']));
    });
  });

  describe('guarantee 2: PAY carries the current total', () => {
    it('when a PAY pays a total a REPRICE had replaced, then it is a lost update', () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.apply('reprice', { totalCents: 1200 });
      o.event('PAY', { amountCents: 1000 }, o.buyer, 'paid');
      o.request('pay', {
        outcome: 'ok',
        status: 200,
        version: 3,
        orderStatus: 'paid',
        body: { amountCents: 1000 },
      });
      expect(kinds(check(h))).toContain('2:lost-update');
    });

    it('when the items of CREATED do not add up to its total, then it is reported', () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.events[0]!.data.items = [{ productId: 'p1', quantity: 3, unitPriceCents: 300 }];
      expect(kinds(check(h))).toEqual(['2:created-total-mismatch']);
      o.events[0]!.data.items = [{ productId: 'p1', quantity: 2, unitPriceCents: 500 }];
      expect(check(h)).toEqual([]);
    });

    it("when CREATED carries a coupon's discount, then its total is the items less the discount, never below 0", () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      const created = o.events[0]!.data;
      created.items = [{ productId: 'p1', quantity: 2, unitPriceCents: 600 }];
      created.discountCents = 200;
      expect(check(h)).toEqual([]);
      created.discountCents = 100;
      expect(kinds(check(h))).toEqual(['2:created-total-mismatch']);
      const free = new HistoryBuilder();
      const f = free.order(0);
      f.events[0]!.data.items = [{ productId: 'p1', quantity: 1, unitPriceCents: 500 }];
      f.events[0]!.data.discountCents = 800;
      expect(check(free)).toEqual([]);
    });

    it('when a REPRICE follows a PAY, then it is reported', () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.apply('pay', { amountCents: 1000 });
      o.event('REPRICE', { totalCents: 5, previousTotalCents: 1000 }, o.merchant, 'paid');
      expect(kinds(check(h))).toContain('2:reprice-after-pay');
    });

    it('when a REPRICE replaced a total that was already gone, then it is a lost update', () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.event('REPRICE', { totalCents: 1100, previousTotalCents: 1000 }, o.merchant);
      o.event('REPRICE', { totalCents: 1300, previousTotalCents: 1000 }, o.merchant);
      expect(kinds(check(h))).toContain('2:lost-update');
    });
  });

  describe('guarantee 3: nothing after a final status', () => {
    it('when an event follows a cancel, then it is reported', () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.apply('cancel');
      o.event('PAY', { amountCents: 1000 }, o.buyer, 'paid');
      expect(kinds(check(h))).toContain('3:event-after-final');
    });

    it('when the sweeper expires an order twice, then it is reported', () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.event('EXPIRE', {}, { role: 'system', id: 'sweeper' });
      o.event('EXPIRE', {}, { role: 'system', id: 'sweeper' }, 'cancelled');
      expect(kinds(check(h))).toContain('3:event-after-final');
    });
  });

  describe('guarantee 4: the replay reproduces the stored order', () => {
    it('when replayed through the project machine, then a good history passes and a PAY of another amount does not', () => {
      const good = goodHistory();
      expect(checkHistory(good.requests, good.observation(), { replay: replayByMachine })).toEqual(
        [],
      );
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.event('PAY', { amountCents: 900 }, o.buyer, 'paid');
      const found = checkHistory(h.requests, h.observation(), { replay: replayByMachine });
      expect(kinds(found)).toEqual(expect.arrayContaining(['4:replay-rejected', '2:lost-update']));
    });

    it('when the stored status or totals differ from the replay, then it is reported', () => {
      const h = goodHistory();
      h.orders[0]!.overrides.status = 'shipped';
      h.orders[1]!.overrides.totalCents = 1;
      h.orders[2]!.overrides.paidCents = 799;
      expect(kinds(check(h))).toEqual(
        expect.arrayContaining(['4:replay-status', '4:replay-total', '4:replay-paid']),
      );
    });

    it('when an event is not one the machine takes in that state, then it is reported', () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.event('SHIP', {}, o.merchant, 'shipped');
      expect(kinds(check(h))).toContain('4:replay-rejected');
    });

    it('when an event claims another from-status than the one before it, then it is reported', () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.apply('pay', { amountCents: 1000 });
      o.events[1] = { ...o.events[1]!, fromStatus: 'shipped' };
      expect(kinds(check(h))).toContain('4:replay-status-mismatch');
    });
  });

  describe('guarantee 5: stock never negative, never leaks', () => {
    it('when a cancelled order kept its stock, then the stock leaks', () => {
      const h = new HistoryBuilder();
      const p = h.product(5);
      const o = h.order(1000, [{ product: p, quantity: 2 }]);
      o.apply('cancel');
      p.stock -= 2;
      expect(kinds(check(h))).toEqual(['5:stock-leak']);
    });

    it('when stock is negative, or holds_stock disagrees with the status, then it is reported', () => {
      const h = new HistoryBuilder();
      const p = h.product(1);
      const o = h.order(1000, [{ product: p, quantity: 2 }]);
      o.overrides.holdsStock = false;
      expect(kinds(check(h))).toEqual(
        expect.arrayContaining(['5:holds-stock-mismatch', '5:negative-stock']),
      );
    });

    const round = flashRound;

    it('when a flash sale sells exactly its stock, then it passes; more or less is caught', () => {
      const h = new HistoryBuilder();
      expect(check(h, [round({})])).toEqual([]);
      const undersold = { stockAfter: 2, created: 8, ordersAfter: 8, quantityAfter: 8 };
      expect(kinds(check(h, [round({ ...undersold, outOfStock: 22 })]))).toEqual([
        '5:flash-undersold',
      ]);
      // Two requests failed after taking a unit (503, reset): their units may come back
      // after the others were told out_of_stock; a third unit may not.
      const failed = { ...undersold, outOfStock: 20, unknown: 2, unitsMaybeBack: 2 };
      expect(check(h, [round(failed)])).toEqual([]);
      expect(kinds(check(h, [round({ ...failed, stocked: 11, stockAfter: 3 })]))).toEqual([
        '5:flash-undersold',
      ]);
      expect(kinds(check(h, [round({ created: 11, ordersAfter: 11, quantityAfter: 11 })]))).toEqual(
        expect.arrayContaining(['5:flash-oversold', '5:flash-stock-mismatch']),
      );
      expect(kinds(check(h, [round({ created: 11 })]))).toEqual(['5:flash-lost-order']);
      // A unit given back by an expired order of the round may be left; a second may not.
      const expired = { stockAfter: 1, quantityAfter: 9, released: true };
      expect(check(h, [round({ ...expired, quantityReleased: 1 })])).toEqual([]);
      expect(
        kinds(
          check(h, [
            round({ stockAfter: 2, quantityAfter: 8, quantityReleased: 1, released: true }),
          ]),
        ),
      ).toEqual(['5:flash-undersold']);
    });
  });

  describe('guarantee 6: one key, one event', () => {
    it('when a retry with the same key runs again, then it is reported', () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.apply('reprice', { totalCents: 1100 }, { idempotencyKey: 'k' });
      o.apply('reprice', { totalCents: 1100 }, { idempotencyKey: 'k' });
      expect(kinds(check(h))).toEqual(
        expect.arrayContaining(['6:second-effect', '6:executed-twice', '6:not-replayed']),
      );
    });

    it('when a retry after a 200 gets something else than the replay, then it is reported', () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.apply('pay', { amountCents: 1000 }, { idempotencyKey: 'k' });
      o.request('pay', {
        outcome: 'rejected',
        status: 409,
        code: 'invalid_transition',
        body: { amountCents: 1000 },
        idempotencyKey: 'k',
      });
      expect(kinds(check(h))).toEqual(['6:not-replayed']);
    });

    it('when the same body gets idempotency_key_reused, then it is reported', () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.request('cancel', {
        outcome: 'rejected',
        status: 422,
        code: 'idempotency_key_reused',
        idempotencyKey: 'k',
      });
      expect(kinds(check(h))).toContain('6:key-reused-same-body');
    });

    it('when one key placed two orders, then it is reported; one order and a replay pass', () => {
      const h = new HistoryBuilder();
      const a = h.order(1000);
      const b = h.order(1000);
      const [createA, createB] = h.requests;
      createA!.idempotencyKey = 'c';
      createB!.idempotencyKey = 'c';
      expect(kinds(check(h))).toEqual(
        expect.arrayContaining(['6:second-effect', '6:executed-twice', '6:not-replayed']),
      );
      createB!.orderId = a.id;
      createB!.replayed = true;
      createB!.bodyHash = createA!.bodyHash;
      b.events.length = 0;
      h.orders.pop();
      expect(check(h)).toEqual([]);
    });

    it('when a retry after a lost answer runs once, then it passes', () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.request('pay', {
        outcome: 'unknown',
        error: 'ECONNRESET',
        body: { amountCents: 1000 },
        idempotencyKey: 'k',
      });
      o.request('pay', {
        outcome: 'rejected',
        status: 409,
        code: 'idempotency_key_in_flight',
        body: { amountCents: 1000 },
        idempotencyKey: 'k',
      });
      o.apply('pay', { amountCents: 1000 }, { idempotencyKey: 'k' });
      expect(check(h)).toEqual([]);
    });
  });

  describe('guarantee 7: successful transitions are linearizable', () => {
    it('when a later transition got a lower version, then it is reported', () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.apply('reprice', { totalCents: 1 });
      o.apply('reprice', { totalCents: 2 });
      // Swap the answers: the request sent second shows the older version.
      const [, first, second] = h.requests;
      [first!.etagVersion, second!.etagVersion] = [3, 2];
      [first!.order, second!.order] = [second!.order, first!.order];
      first!.body = { totalCents: 2 };
      second!.body = { totalCents: 1 };
      expect(kinds(check(h))).toContain('7:write-order');
    });

    it('when a read after a transition shows an older version, then it is a stale read', () => {
      const h = new HistoryBuilder();
      const o = h.order(1000);
      o.apply('reprice', { totalCents: 1 });
      o.read(1);
      expect(kinds(check(h))).toEqual(['7:stale-read']);
    });
  });

  it('when an order stays unpaid long past its due time, then the sweeper is reported', () => {
    const h = new HistoryBuilder();
    const o = h.order(1000);
    o.paymentDueAt = Date.UTC(2026, 0, 1) - 20_000;
    const found = checkHistory(h.requests, h.observation(), {
      replay: replayByContract,
      expiryGraceMs: 10_000,
    });
    expect(kinds(found)).toEqual(['contract:not-expired']);
  });
});
