import { checkHistory, replayByContract } from '../../harness/checker';
import { flashRound, HistoryBuilder } from '../../harness/checker/synthetic';
import type { FlashObservation, Violation } from '../../harness/types';

function check(h: HistoryBuilder, flash: FlashObservation[] = []): Violation[] {
  return checkHistory(h.requests, { ...h.observation(), flash }, { replay: replayByContract });
}

function kinds(violations: Violation[]): string[] {
  return violations.map((v) => `${v.guarantee}:${v.kind}`);
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A product with a limit of 2 whose sale starts 50 ms into the history. */
function sale(): { h: HistoryBuilder; start: number; p: ReturnType<HistoryBuilder['product']> } {
  const h = new HistoryBuilder();
  const start = h.wall(50);
  const p = h.product(10, 'm1', { perBuyerLimit: 2, saleStartsAt: start });
  return { h, start, p };
}

describe('the harness checker, guarantee 8: purchase limits and sale starts', () => {
  it('when buyers stay within the limit and nothing sells before the start, then it reports nothing', () => {
    const { h, start, p } = sale();
    h.refusedOrder(p, 'sale_not_started', { response: { saleStartsAt: iso(start) } });
    h.tick(100);
    h.order(1000, [{ product: p, quantity: 1 }]);
    h.order(1000, [{ product: p, quantity: 1 }]);
    h.refusedOrder(p, 'purchase_limit_exceeded', { response: { limit: 2, held: 2 } });
    h.order(1000, [{ product: p, quantity: 2 }], 'b2');
    // A cancel frees its units before the next order's 201 arrives: not over the limit.
    const o = h.order(1000, [{ product: p, quantity: 2 }], 'b3');
    o.apply('cancel');
    h.order(1000, [{ product: p, quantity: 2 }], 'b3');
    expect(check(h)).toEqual([]);
  });

  it('when a buyer holds more than the limit, then the database and the history both show it', () => {
    const { h, p } = sale();
    h.tick(100);
    h.order(1000, [{ product: p, quantity: 2 }]);
    h.order(1000, [{ product: p, quantity: 1 }]);
    expect(kinds(check(h))).toEqual(['8:limit-exceeded', '8:limit-exceeded-in-history']);
  });

  it('when a cancel committed only after another order of the buyer was answered, then only the history shows it', () => {
    const { h, p } = sale();
    h.tick(100);
    const first = h.order(1000, [{ product: p, quantity: 2 }]);
    const second = h.order(1000, [{ product: p, quantity: 1 }]);
    h.tick(20);
    first.apply('cancel');
    const found = check(h);
    expect(kinds(found)).toEqual(['8:limit-exceeded-in-history']);
    expect(found[0]!.message).toContain(`${first.id}, ${second.id}`);
  });

  it('when buyer_holdings disagrees with the orders that hold stock, then it is reported', () => {
    const { h, p } = sale();
    h.tick(100);
    h.order(1000, [{ product: p, quantity: 1 }]);
    h.holdings = [{ buyerId: 'b1', productId: p.id, held: 2 }];
    expect(kinds(check(h))).toEqual(['8:holdings-mismatch']);
    h.holdings = [];
    expect(kinds(check(h))).toEqual(['8:holdings-mismatch']);
  });

  it('when an order was created before the sale start, then the database and its 201 show it', () => {
    const { h, p } = sale();
    h.order(1000, [{ product: p, quantity: 1 }]);
    expect(kinds(check(h))).toEqual(['8:order-before-sale-start', '8:sold-before-sale-start']);
  });

  it('when sale_not_started comes for a request sent after the start, or without the start, then it is reported', () => {
    const { h, start, p } = sale();
    h.refusedOrder(p, 'sale_not_started', { response: {} });
    h.tick(100);
    h.refusedOrder(p, 'sale_not_started', { response: { saleStartsAt: iso(start) } });
    expect(kinds(check(h))).toEqual([
      'contract:sale-start-not-carried',
      '8:sale-not-started-after-start',
    ]);
  });

  it('when another refusal is answered before the start, then the start was not checked first', () => {
    const { h, p } = sale();
    h.refusedOrder(p, 'out_of_stock');
    h.refusedOrder(p, 'purchase_limit_exceeded', { response: { limit: 3, held: 3 } });
    expect(kinds(check(h))).toEqual([
      '8:refused-otherwise-before-start',
      '8:refused-otherwise-before-start',
      'contract:limit-refusal-wrong-limit',
    ]);
  });

  it('when a flash sale ends with a buyer over the limit, then it is reported', () => {
    const { h, p } = sale();
    const round = flashRound({
      productId: p.id,
      outOfStock: 0,
      perBuyerLimit: 2,
      saleStartsAt: h.wall(50),
      notStarted: 3,
      limitExceeded: 17,
      outOfStockMinQuantity: null,
      unitsMaybeBack: 17,
      maxHeldByBuyer: 2,
    });
    expect(check(h, [round])).toEqual([]);
    expect(kinds(check(h, [{ ...round, maxHeldByBuyer: 3 }]))).toEqual(['8:limit-exceeded']);
  });
});

describe('the harness checker: a product sells again within 5 s of a fault', () => {
  const probe = { target: 'flash' as const, productId: 'p1', fromMs: 1000, attempts: 3 };

  it('when the first sale came within 5 s, then it passes; later or never is reported', () => {
    const h = new HistoryBuilder();
    h.probes.push({ ...probe, fault: 'flushall#1', soldMs: 6000 });
    expect(check(h)).toEqual([]);
    h.probes.push({ ...probe, fault: 'redis-restart#1', soldMs: 6001 });
    h.probes.push({ ...probe, fault: 'kill#1', target: 'killed-order' });
    const found = check(h);
    expect(kinds(found)).toEqual(['contract:not-sold-again', 'contract:not-sold-again']);
    expect(found[0]!.message).toContain('redis-restart#1');
    expect(found[1]!.message).toContain('did not sell in 3 tries');
  });
});
