import { checkHistory, replayByContract } from '../../harness/checker';
import { HistoryBuilder, type OrderBuilder } from '../../harness/checker/synthetic';
import type {
  ClaimRow,
  CouponRow,
  Observation,
  RequestRecord,
  Violation,
} from '../../harness/types';

const COUPON = 'c1';

/** A history with one coupon of `total` units; claims and orders are added by the tests. */
class CouponHistory {
  readonly h = new HistoryBuilder();
  readonly coupon: CouponRow;
  readonly claims: ClaimRow[] = [];

  constructor(total = 2) {
    this.coupon = {
      id: COUPON,
      merchantId: 'm1',
      discountCents: 100,
      totalQuantity: total,
      claimed: 0,
    };
  }

  /** A claim request; with `ok` (201) the database gets the claim row. */
  claim(
    buyerId: string,
    outcome: RequestRecord['outcome'] = 'ok',
    row = outcome === 'ok',
  ): RequestRecord {
    const r = this.h.record({
      kind: 'claim-coupon',
      actor: { role: 'buyer', id: buyerId },
      outcome,
      ...(outcome === 'ok'
        ? { status: 201 }
        : outcome === 'rejected'
          ? { status: 409, code: 'coupon_sold_out' }
          : {}),
    });
    r.couponId = COUPON;
    if (row && !this.claims.some((c) => c.buyerId === buyerId)) {
      this.claims.push({ couponId: COUPON, buyerId, state: 'available', orderId: null });
      this.coupon.claimed++;
    }
    return r;
  }

  /** An order placed (201) with the buyer's claim; the claim row follows it unless told not to. */
  order(buyerId: string, follow = true): OrderBuilder {
    const o = this.h.order(1000, [], buyerId);
    o.overrides.couponId = COUPON;
    const created = this.h.requests.at(-1);
    if (created) created.body = { ...created.body, couponId: COUPON };
    if (follow) this.follow(o);
    return o;
  }

  /** Sets the buyer's claim as its order's status says. */
  follow(o: OrderBuilder): void {
    const claim = this.claims.find((c) => c.buyerId === o.buyer.id);
    const status = o.events.at(-1)?.toStatus;
    if (!claim) return;
    claim.state =
      status === 'cancelled' ? 'available' : status === 'pending_payment' ? 'reserved' : 'redeemed';
    claim.orderId = claim.state === 'available' ? null : o.id;
  }

  observation(): Observation {
    return { ...this.h.observation(), coupons: [this.coupon], claims: this.claims };
  }

  check(): string[] {
    return kinds(checkHistory(this.h.requests, this.observation(), { replay: replayByContract }));
  }
}

function kinds(violations: Violation[]): string[] {
  return violations.map((v) => `${v.guarantee}:${v.kind}`);
}

describe('the harness checker, guarantee 11: coupons', () => {
  it('when a coupon of 2 goes to 2 buyers once each and each claim is used by one live order at a time, then it reports nothing', () => {
    const c = new CouponHistory(2);
    c.claim('b1');
    c.claim('b2');
    c.claim('b3', 'rejected');
    c.claim('b4', 'unknown', false);
    const first = c.order('b1');
    first.apply('cancel');
    c.follow(first);
    c.h.tick(20);
    const second = c.order('b1');
    second.apply('pay', { amountCents: 1000 });
    c.follow(second);
    const third = c.order('b2');
    third.apply('pay', { amountCents: 1000 });
    third.apply('refund');
    c.follow(third);
    expect(c.check()).toEqual([]);
  });

  it('when more buyers than its quantity are told 201, then the history and the database both show it', () => {
    const c = new CouponHistory(2);
    c.claim('b1');
    c.claim('b2');
    c.claim('b3');
    expect(c.check()).toEqual(['11:coupon-over-claimed', '11:coupon-over-claimed']);
  });

  it('when one buyer is told 201 twice for one coupon, then it reports a double claim', () => {
    const c = new CouponHistory(3);
    c.claim('b1');
    c.claim('b1');
    expect(c.check()).toEqual(['11:claimed-twice']);
  });

  it('when a 201 claim is missing from the database or a claim appears that no request made, then it reports both', () => {
    const c = new CouponHistory(3);
    c.claim('b1', 'ok', false);
    c.claim('b2', 'rejected', true);
    expect(c.check()).toEqual(['11:claim-lost', '11:phantom-claim']);
  });

  it('when coupons.claimed disagrees with its claims, then it reports the count', () => {
    const c = new CouponHistory(3);
    c.claim('b1');
    c.coupon.claimed = 2;
    expect(c.check()).toEqual(['11:claimed-count-mismatch']);
  });

  it('when two orders hold one claim at once, then the history and the database both show it', () => {
    const c = new CouponHistory(2);
    c.claim('b1');
    c.order('b1');
    c.order('b1', false);
    expect(c.check()).toEqual(['11:two-live-orders-one-claim', '11:two-live-orders-one-claim']);
  });

  it('when a second order with the claim is placed before the first one is cancelled, then the history shows it though the end looks right', () => {
    const c = new CouponHistory(2);
    c.claim('b1');
    const first = c.order('b1');
    const second = c.order('b1');
    c.h.tick(20);
    first.apply('cancel');
    c.follow(second);
    expect(c.check()).toEqual(['11:two-live-orders-one-claim']);
  });

  it('when one claim is paid by two orders, then it reports a second redemption', () => {
    const c = new CouponHistory(2);
    c.claim('b1');
    const first = c.order('b1');
    first.apply('pay', { amountCents: 1000 });
    first.apply('refund');
    c.h.tick(20);
    const second = c.order('b1');
    second.apply('pay', { amountCents: 1000 });
    c.follow(second);
    expect(c.check()).toContain('11:claim-redeemed-twice');
  });

  it('when a claim says available while its paid order holds it, then it reports the disagreement', () => {
    const c = new CouponHistory(2);
    c.claim('b1');
    const o = c.order('b1');
    o.apply('pay', { amountCents: 1000 });
    expect(c.check()).toEqual(['11:claim-order-disagree']);
  });

  it('when an order uses a coupon its buyer never claimed, then it reports it', () => {
    const c = new CouponHistory(2);
    c.order('b9');
    expect(c.check()).toEqual(['11:order-without-claim']);
  });
});
