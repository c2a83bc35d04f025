import { checkHistory, replayByContract } from '../../harness/checker';
import { HistoryBuilder } from '../../harness/checker/synthetic';
import type { Delivery, FeedEvent, Observation, Violation } from '../../harness/types';

function kinds(violations: Violation[]): string[] {
  return violations.map((v) => `${v.guarantee}:${v.kind}`);
}

const idOf = (orderId: string, seq: number) => `id-${orderId}-${seq}`;

/** Two paid orders of m1, with the feed and the deliveries a correct system gives. */
function world() {
  const h = new HistoryBuilder();
  const a = h.order(1000);
  a.apply('pay', { amountCents: 1000 });
  const b = h.order(500);
  b.apply('cancel');
  const feed: FeedEvent[] = [];
  const deliveries: Delivery[] = [];
  let t = 0;
  for (const o of [a, b]) {
    for (const e of o.events) {
      feed.push({ id: idOf(o.id, e.seq), orderId: o.id, seq: e.seq, type: e.type });
      deliveries.push(delivery(o.id, e.seq, e.type, (t += 10)));
    }
  }
  const observation = (): Observation => ({
    ...h.observation(),
    feed: { byMerchant: new Map([['m1', feed]]) },
    webhooks: { subscriptions: [{ merchantId: 'm1', eventTypes: null }], deliveries, pending: 0 },
  });
  const check = () => kinds(checkHistory(h.requests, observation(), { replay: replayByContract }));
  return { h, a, b, feed, deliveries, check };
}

function delivery(orderId: string, seq: number, type: string, arrivedMs: number): Delivery {
  const id = idOf(orderId, seq);
  return {
    merchantId: 'm1',
    webhookId: id,
    body: JSON.stringify({ id, type, orderId, event: { seq } }),
    orderId,
    seq,
    type,
    bodyId: id,
    signatureValid: true,
    arrivedMs,
    answered: 204,
  };
}

describe('the harness checker, guarantee 9: the events feed and webhooks', () => {
  it('when the feed has every event once and every event was acknowledged in order, then it reports nothing', () => {
    const w = world();
    // A retry after a hang: the same id and body again, later.
    const first = w.deliveries[0];
    if (first) w.deliveries.push({ ...first, arrivedMs: 5, answered: 0 });
    expect(w.check()).toEqual([]);
  });

  it('when the feed skips an event, repeats one or gives an order out of seq order, then it reports each', () => {
    const w = world();
    const [c1, p2, c3] = w.feed;
    w.feed.splice(0, w.feed.length, ...[p2, c1, c3, c3].filter((e) => e !== undefined));
    expect(w.check()).toEqual([
      '9:feed-out-of-order',
      '9:feed-duplicate',
      '9:feed-out-of-order',
      '9:feed-missing-event',
    ]);
  });

  it('when the feed holds an event the table does not, then it is a phantom', () => {
    const w = world();
    w.feed.push({ id: 'x', orderId: w.a.id, seq: 9, type: 'SHIP' });
    expect(w.check()).toEqual(['9:feed-phantom-event']);
  });

  it('when an event is never acknowledged, then it is missing', () => {
    const w = world();
    const last = w.deliveries.at(-1);
    if (last) last.answered = 500;
    expect(w.check()).toEqual(['9:webhook-missing']);
  });

  it('when a retry comes with another webhook-id or another body, then it reports both', () => {
    const w = world();
    const first = w.deliveries[0];
    if (!first) throw new Error('no delivery');
    w.deliveries.push({ ...first, webhookId: 'other', bodyId: 'other', arrivedMs: 1 });
    w.deliveries.push({ ...first, body: `${first.body} `, arrivedMs: 2 });
    expect(w.check()).toEqual([
      '9:webhook-id-not-event-id',
      '9:webhook-id-changed',
      '9:webhook-body-changed',
    ]);
  });

  it('when event n+1 arrives before event n was acknowledged, then it is out of order', () => {
    const w = world();
    const second = w.deliveries[1];
    if (second) second.arrivedMs = 5;
    expect(w.check()).toEqual(['9:webhook-out-of-order']);
  });

  it('when a signature does not verify or an unsubscribed type arrives, then it reports both', () => {
    const w = world();
    const first = w.deliveries[0];
    if (first) first.signatureValid = false;
    const observation = w.h.observation();
    const violations = checkHistory(
      w.h.requests,
      {
        ...observation,
        feed: { byMerchant: new Map([['m1', w.feed]]) },
        webhooks: {
          subscriptions: [{ merchantId: 'm1', eventTypes: ['CREATED', 'PAY'] }],
          deliveries: w.deliveries,
          pending: 0,
        },
      },
      { replay: replayByContract },
    );
    expect(kinds(violations)).toEqual(['9:webhook-bad-signature', '9:webhook-unsubscribed']);
  });
});

describe('the harness checker, guarantee 10: gifts', () => {
  function giftWorld() {
    const h = new HistoryBuilder();
    const gift = h.product(100);
    const bought = h.product(100);
    bought.giftProductId = gift.id;
    const paid = h.order(100, [{ product: bought, quantity: 2 }]);
    paid.apply('pay', { amountCents: 100 });
    const unpaid = h.order(100, [{ product: bought, quantity: 1 }], 'b2');
    const observation = (gifts: Observation['gifts']): Observation => ({
      ...h.observation(),
      gifts,
    });
    const check = (gifts: Observation['gifts']) =>
      kinds(checkHistory(h.requests, observation(gifts), { replay: replayByContract }));
    return { gift, paid, unpaid, check };
  }

  it('when a paid order got one gift per unit and the gift stock balances, then it reports nothing', () => {
    const w = giftWorld();
    w.gift.stock -= 2;
    expect(w.check([{ orderId: w.paid.id, productId: w.gift.id, quantity: 2 }])).toEqual([]);
  });

  it('when gifts are issued twice, then the gift count and the stock both show it', () => {
    const w = giftWorld();
    w.gift.stock -= 4;
    expect(
      w.check([
        { orderId: w.paid.id, productId: w.gift.id, quantity: 2 },
        { orderId: w.paid.id, productId: w.gift.id, quantity: 2 },
      ]),
    ).toEqual(['10:gift-over-issued']);
  });

  it('when a paid order has no gift while stock is left, or an unpaid one has one, then it reports both', () => {
    const w = giftWorld();
    w.gift.stock -= 1;
    expect(w.check([{ orderId: w.unpaid.id, productId: w.gift.id, quantity: 1 }])).toEqual([
      '10:gift-missing',
      '10:gift-without-pay',
    ]);
  });

  it('when gift stock was taken without a gift row, then the stock balance shows the leak', () => {
    const w = giftWorld();
    w.gift.stock -= 3;
    expect(w.check([{ orderId: w.paid.id, productId: w.gift.id, quantity: 2 }])).toEqual([
      '5:stock-leak',
    ]);
  });
});
