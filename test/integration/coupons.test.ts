import request from 'supertest';
import { runTransition } from '../../src/orders/coordinator';
import { makeProduct, principal, type Principal } from '../helpers/api';
import { dbNow } from '../helpers/catalog';
import { claim, claimRow, claimsOf, makeCoupon } from '../helpers/coupons';
import { openGatedApi, stockOf, type GatedApi } from '../helpers/gate';

describe('coupons: campaigns, claims and redemption through orders', () => {
  let instances: GatedApi[];
  let api: GatedApi;
  let merchant: Principal;
  beforeAll(async () => {
    // Three apps, each with its own pool, lock manager and gates: as three instances.
    instances = await Promise.all([openGatedApi(), openGatedApi(), openGatedApi()]);
    api = instances[0] as GatedApi;
    merchant = await principal(api.config, 'merchant');
  });
  afterAll(async () => Promise.all(instances.map((i) => i.close())));

  const buyer = () => principal(api.config, 'buyer');
  const post = (path: string, who: Principal, body: object = {}, i = 0) =>
    request((instances[i % instances.length] as GatedApi).app)
      .post(path)
      .set(who.auth)
      .send(body);
  const order = (who: Principal, productId: string, couponId?: string, i = 0) =>
    post('/v1/orders', who, { items: [{ productId, quantity: 2 }], couponId }, i);
  /** A buyer who claimed a fresh coupon, and a product of its merchant (2 x 1000 = 2000). */
  const claimed = async (fields: Record<string, unknown> = {}) => {
    const b = await buyer();
    const coupon = await makeCoupon(api, merchant, fields);
    await claim(api, b, coupon.id).expect(201);
    const product = await makeProduct(api, merchant, { priceCents: 1000, stock: 10 });
    return { b, coupon, product };
  };

  describe('campaigns', () => {
    it('when a merchant creates a coupon, then anyone reads it with its claimed count', async () => {
      const coupon = await makeCoupon(api, merchant, {
        discountCents: 500,
        totalQuantity: 3,
        minOrderCents: 1000,
        validUntil: '2999-01-01T00:00:00+02:00',
      });
      expect(coupon).toEqual({
        id: expect.any(String),
        merchantId: merchant.id,
        code: coupon.code,
        discountCents: 500,
        minOrderCents: 1000,
        totalQuantity: 3,
        claimed: 0,
        validFrom: null,
        validUntil: '2998-12-31T22:00:00.000Z',
        createdAt: expect.any(String),
      });
      const b = await buyer();
      await claim(api, b, coupon.id).expect(201);
      const read = await request(api.app).get(`/v1/coupons/${coupon.id}`).set(b.auth).expect(200);
      expect(read.body).toEqual({ ...coupon, claimed: 1 });
    });

    it('when the code is taken, the caller is not a merchant or the body is bad, then a coded 4xx changes nothing', async () => {
      const coupon = await makeCoupon(api, merchant);
      const again = await post('/v1/coupons', merchant, {
        code: coupon.code,
        discountCents: 1,
        totalQuantity: 1,
      });
      expect([again.status, again.body.code]).toEqual([409, 'coupon_code_exists']);
      const b = await buyer();
      const byBuyer = await post('/v1/coupons', b, {
        code: 'x',
        discountCents: 1,
        totalQuantity: 1,
      });
      expect([byBuyer.status, byBuyer.body.code]).toEqual([403, 'forbidden']);
      const bad = [
        { code: 'a b', discountCents: 1, totalQuantity: 1 },
        { code: 'ok', discountCents: 0, totalQuantity: 1 },
        { code: 'ok', discountCents: 1, totalQuantity: 0 },
        { code: 'ok', discountCents: 1, totalQuantity: 100_001 },
        { code: 'ok', discountCents: 1, totalQuantity: 1, minOrderCents: -1 },
        { code: 'ok', discountCents: 1, totalQuantity: 1, extra: true },
        {
          code: 'ok',
          discountCents: 1,
          totalQuantity: 1,
          validFrom: '2030-01-02T00:00:00Z',
          validUntil: '2030-01-01T00:00:00Z',
        },
      ];
      for (const body of bad) {
        const res = await post('/v1/coupons', merchant, body);
        expect([res.status, res.body.code]).toEqual([400, 'validation_failed']);
      }
      const count = await api.db('coupons').where({ merchant_id: merchant.id, code: 'ok' }).count();
      expect(Number((count[0] as { count: string }).count)).toBe(0);
      for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
        const res = await request(api.app).get(`/v1/coupons/${id}`).set(b.auth);
        expect([res.status, res.body.code]).toEqual([404, 'coupon_not_found']);
      }
    });
  });

  describe('claims', () => {
    it('when a buyer claims, then the claim is available, listed newest first, and a second claim is refused', async () => {
      const b = await buyer();
      const first = await makeCoupon(api, merchant);
      const second = await makeCoupon(api, merchant);
      const res = await claim(api, b, first.id).expect(201);
      expect(res.body).toEqual({
        couponId: first.id,
        buyerId: b.id,
        state: 'available',
        orderId: null,
        claimedAt: expect.any(String),
      });
      await claim(api, b, second.id).expect(201);
      for (const i of [0, 1, 2]) {
        const again = await post(`/v1/coupons/${first.id}/claim`, b, {}, i);
        expect([again.status, again.body.code]).toEqual([409, 'coupon_already_claimed']);
      }
      const list = await request(api.app).get('/v1/coupons/claimed').set(b.auth).expect(200);
      expect(list.body.claims.map((c: { couponId: string }) => c.couponId)).toEqual([
        second.id,
        first.id,
      ]);
      expect(await claimsOf(api, first.id)).toMatchObject({ claimed: 1, rows: 1 });
    });

    it('when the coupon is sold out, unknown, not valid yet or any more, or the caller no buyer, then the claim is refused and nothing is claimed', async () => {
      const soldOut = await makeCoupon(api, merchant, { totalQuantity: 1 });
      await claim(api, await buyer(), soldOut.id).expect(201);
      const b = await buyer();
      const late = await claim(api, b, soldOut.id);
      expect([late.status, late.body.code]).toEqual([409, 'coupon_sold_out']);

      const now = (await dbNow(api)).getTime();
      const future = new Date(now + 3_600_000).toISOString();
      const early = await makeCoupon(api, merchant, { validFrom: future });
      const notYet = await claim(api, b, early.id);
      expect([notYet.status, notYet.body.code, notYet.body.validFrom]).toEqual([
        409,
        'coupon_not_valid',
        future,
      ]);
      const past = await makeCoupon(api, merchant, {
        validFrom: new Date(now - 7_200_000).toISOString(),
        validUntil: new Date(now - 3_600_000).toISOString(),
      });
      const over = await claim(api, b, past.id);
      expect([over.status, over.body.code]).toEqual([409, 'coupon_not_valid']);

      const unknown = await claim(api, b, '00000000-0000-4000-8000-000000000000');
      expect([unknown.status, unknown.body.code]).toEqual([404, 'coupon_not_found']);
      const byMerchant = await claim(api, merchant, early.id);
      expect([byMerchant.status, byMerchant.body.code]).toEqual([403, 'forbidden']);
      const withBody = await post(`/v1/coupons/${early.id}/claim`, b, { x: 1 });
      expect([withBody.status, withBody.body.code]).toEqual([400, 'validation_failed']);
      for (const c of [soldOut, early, past])
        expect(await claimRow(api, c.id, b.id)).toBeUndefined();
      expect((await claimsOf(api, soldOut.id)).claimed).toBe(1);
    });
  });

  describe('redemption through orders', () => {
    it("when an order uses an available claim, then its total is the items' sum less the discount and the claim is reserved by it", async () => {
      const { b, coupon, product } = await claimed({ discountCents: 300, minOrderCents: 2000 });
      const res = await order(b, product.id, coupon.id).expect(201);
      expect(res.body).toMatchObject({ couponId: coupon.id, discountCents: 300, totalCents: 1700 });
      expect(await claimRow(api, coupon.id, b.id)).toEqual({
        state: 'reserved',
        order_id: res.body.id,
      });
      const events = await request(api.app).get(`/v1/orders/${res.body.id}/events`).set(b.auth);
      expect(events.body.events[0].data).toMatchObject({
        couponId: coupon.id,
        discountCents: 300,
        totalCents: 1700,
      });
      const list = await request(api.app).get('/v1/coupons/claimed').set(b.auth);
      expect(list.body.claims[0]).toMatchObject({ state: 'reserved', orderId: res.body.id });
    });

    it('when the discount exceeds the items, then the total is 0 and the discount is what it took', async () => {
      const { b, coupon, product } = await claimed({ discountCents: 5000 });
      const res = await order(b, product.id, coupon.id).expect(201);
      expect(res.body).toMatchObject({ discountCents: 2000, totalCents: 0 });
      const plain = await order(b, product.id).expect(201);
      expect(plain.body).toMatchObject({ couponId: null, discountCents: 0, totalCents: 2000 });
    });

    it("when the claim is missing, another merchant's, below its minimum or not valid, then 409 coupon_unavailable and no stock is taken", async () => {
      const b = await buyer();
      const product = await makeProduct(api, merchant, { priceCents: 1000, stock: 10 });
      const unclaimed = await makeCoupon(api, merchant);
      const other = await principal(api.config, 'merchant');
      const foreign = await makeCoupon(api, other);
      const minimum = await makeCoupon(api, merchant, { minOrderCents: 2001 });
      const now = (await dbNow(api)).getTime();
      const ending = await makeCoupon(api, merchant, {
        validUntil: new Date(now + 1500).toISOString(),
      });
      for (const c of [foreign, minimum, ending]) await claim(api, b, c.id).expect(201);
      await new Promise((r) => setTimeout(r, 1600));
      const cases: [string, string][] = [
        [unclaimed.id, 'not_claimed'],
        ['00000000-0000-4000-8000-000000000000', 'not_claimed'],
        [foreign.id, 'other_merchant'],
        [minimum.id, 'below_minimum'],
        [ending.id, 'not_valid'],
      ];
      for (const [couponId, reason] of cases) {
        const res = await order(b, product.id, couponId);
        expect([res.status, res.body.code, res.body.reason]).toEqual([
          409,
          'coupon_unavailable',
          reason,
        ]);
      }
      expect(await stockOf(api, product.id)).toEqual({ left: 10, held: 0 });
      for (const c of [foreign, minimum, ending])
        expect(await claimRow(api, c.id, b.id)).toEqual({ state: 'available', order_id: null });
    });

    it('when three orders race for one claim on three instances, then one is placed and the others take nothing', async () => {
      const { b, coupon, product } = await claimed();
      const results = await Promise.all([0, 1, 2].map((i) => order(b, product.id, coupon.id, i)));
      const placed = results.filter((r) => r.status === 201);
      expect(placed).toHaveLength(1);
      for (const r of results.filter((x) => x.status !== 201)) {
        expect([r.status, r.body.code, r.body.reason]).toEqual([
          409,
          'coupon_unavailable',
          'reserved',
        ]);
      }
      expect(await claimRow(api, coupon.id, b.id)).toEqual({
        state: 'reserved',
        order_id: placed[0]?.body.id,
      });
      expect(await stockOf(api, product.id)).toEqual({ left: 8, held: 2 });
    });
  });

  describe("the claim follows its order's transitions", () => {
    const act = (who: Principal, id: string, action: string, body: object = {}) =>
      post(`/v1/orders/${id}/${action}`, who, body).expect(200);

    it('when the order is cancelled, then the claim is available again and serves another order', async () => {
      const { b, coupon, product } = await claimed();
      const first = await order(b, product.id, coupon.id).expect(201);
      await act(b, first.body.id, 'cancel');
      expect(await claimRow(api, coupon.id, b.id)).toEqual({ state: 'available', order_id: null });
      const second = await order(b, product.id, coupon.id).expect(201);
      expect(await claimRow(api, coupon.id, b.id)).toEqual({
        state: 'reserved',
        order_id: second.body.id,
      });
    });

    it('when the order expires, then the claim is available again', async () => {
      const { b, coupon, product } = await claimed();
      const placed = await order(b, product.id, coupon.id).expect(201);
      await api
        .db('orders')
        .where({ id: placed.body.id })
        .update({ payment_due_at: new Date(Date.now() - 1000) });
      const expired = await runTransition(api, {
        orderId: placed.body.id,
        actor: { role: 'system', id: 'payment-expiry' },
        intent: { type: 'EXPIRE' },
      });
      expect(expired.status).toBe('cancelled');
      expect(await claimRow(api, coupon.id, b.id)).toEqual({ state: 'available', order_id: null });
    });

    it('when the order is paid, then the claim is redeemed, stays so after a refund, and no order can use it again', async () => {
      const { b, coupon, product } = await claimed({ discountCents: 300 });
      const placed = await order(b, product.id, coupon.id).expect(201);
      await act(b, placed.body.id, 'pay', { amountCents: 1700 });
      expect(await claimRow(api, coupon.id, b.id)).toEqual({
        state: 'redeemed',
        order_id: placed.body.id,
      });
      await act(merchant, placed.body.id, 'refund');
      expect(await claimRow(api, coupon.id, b.id)).toEqual({
        state: 'redeemed',
        order_id: placed.body.id,
      });
      const again = await order(b, product.id, coupon.id);
      expect([again.status, again.body.code, again.body.reason]).toEqual([
        409,
        'coupon_unavailable',
        'redeemed',
      ]);
    });

    it('when a cancel and a new order with the same claim and product race, then neither deadlocks and the claim has one live order', async () => {
      const { b, coupon, product } = await claimed();
      for (let round = 0; round < 10; round++) {
        const live = await order(b, product.id, coupon.id).expect(201);
        const [cancelled, next] = await Promise.all([
          post(`/v1/orders/${live.body.id}/cancel`, b, {}, round),
          order(b, product.id, coupon.id, round + 1),
        ]);
        expect(cancelled.status).toBe(200);
        expect([201, 409]).toContain(next.status);
        const holder = next.status === 201 ? next.body.id : undefined;
        if (holder === undefined) expect(next.body.code).toBe('coupon_unavailable');
        const row = await claimRow(api, coupon.id, b.id);
        expect(row).toEqual(
          holder ? { state: 'reserved', order_id: holder } : { state: 'available', order_id: null },
        );
        if (holder) await post(`/v1/orders/${holder}/cancel`, b).expect(200);
      }
      expect(await stockOf(api, product.id)).toEqual({ left: 10, held: 0 });
    });

    it('when a paid order ships and is delivered, then its claim stays redeemed', async () => {
      const { b, coupon, product } = await claimed({ discountCents: 300 });
      const placed = await order(b, product.id, coupon.id).expect(201);
      await act(b, placed.body.id, 'pay', { amountCents: 1700 });
      await act(merchant, placed.body.id, 'ship');
      await act(merchant, placed.body.id, 'deliver');
      expect(await claimRow(api, coupon.id, b.id)).toEqual({
        state: 'redeemed',
        order_id: placed.body.id,
      });
    });
  });
});
