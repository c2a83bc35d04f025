import { once } from 'node:events';
import type { Server } from 'node:http';
import request, { type Response } from 'supertest';
import type { PrivateRedis } from '../../harness/procs/redis';
import { couponKeys } from '../../src/catalog/gate';
import { waitUntil } from '../../support/time';
import { principal, type Principal } from '../helpers/api';
import { claim, claimsOf, makeCoupon } from '../helpers/coupons';
import {
  openPrivateGatedApis,
  reconcilerOf,
  totalDecisions,
  totalSql,
  type GatedApi,
} from '../helpers/gate';

// A private Redis: the counts below are exact only if no other file's servers reconcile
// or flush the gate's keys meanwhile (and FLUSHALL must never reach the shared one).
describe('claim storms: never more claims than issued, never one buyer twice, whatever Redis does', () => {
  let redis: PrivateRedis;
  let gated: GatedApi[];
  let close: () => Promise<void>;
  let merchant: Principal;
  /** Each instance listens once: a storm must not start a server per request. */
  let servers: Server[];
  beforeAll(async () => {
    ({ redis, gated, close } = await openPrivateGatedApis(3, 500));
    servers = gated.map((g) => g.app.listen(0, '127.0.0.1'));
    await Promise.all(servers.map((s) => once(s, 'listening')));
    // Running instances have their pools open: opening 10 connections each in the first
    // millisecond of a storm, on a loaded machine, can take longer than their 2 s limit.
    await Promise.all(gated.flatMap((g) => Array.from({ length: 10 }, () => g.db.raw('select 1'))));
    merchant = await principal(api().config, 'merchant');
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    await close();
  });
  const claimOn = (i: number, b: Principal, couponId: string) =>
    request(servers[i % 3] as Server)
      .post(`/v1/coupons/${couponId}/claim`)
      .set(b.auth)
      .send();
  const api = () => gated[0] as GatedApi;
  const buyers = (n: number) =>
    Promise.all(Array.from({ length: n }, () => principal(api().config, 'buyer')));
  /** Every buyer claims once; every `twiceEvery`-th buyer a second time at once, on another instance. */
  const storm = (couponId: string, who: Principal[], twiceEvery: number) => {
    const sent: { buyer: Principal; done: Promise<Response> }[] = [];
    who.forEach((b, i) => {
      sent.push({ buyer: b, done: claimOn(i, b, couponId) });
      if (i % twiceEvery === 0) sent.push({ buyer: b, done: claimOn(i + 1, b, couponId) });
    });
    return sent;
  };
  const settle = async (sent: ReturnType<typeof storm>) =>
    Promise.all(sent.map(async (s) => ({ buyer: s.buyer.id, res: await s.done })));
  /** The gate's count and claimants of a coupon. */
  const gateState = async (couponId: string) => {
    const keys = couponKeys(merchant.id, couponId);
    const claimed = await api().redis.hget(keys.state, 'claimed');
    const claimants = await api().redis.hkeys(keys.holders);
    return { claimed: claimed === null ? undefined : Number(claimed), buyers: claimants.sort() };
  };
  const expectOutcome = (results: Awaited<ReturnType<typeof settle>>, quantity: number) => {
    const won = results.filter((r) => r.res.status === 201);
    expect(won).toHaveLength(quantity);
    expect(new Set(won.map((r) => r.buyer)).size).toBe(quantity);
    const losers = ['coupon_sold_out', 'coupon_already_claimed'];
    const other = results.filter((r) => r.res.status !== 201 && !losers.includes(r.res.body.code));
    expect(other.map((r) => r.res.body)).toEqual([]);
    return won.map((r) => r.buyer).sort();
  };

  it('when 300 buyers (60 of them twice at once) claim a coupon of 50 on three instances, then exactly 50 buyers hold one claim each and the losers cost no transaction', async () => {
    const coupon = await makeCoupon(api(), merchant, { totalQuantity: 50 });
    const sqlBefore = totalSql(gated).transactions;
    const started = Date.now();
    const results = await settle(storm(coupon.id, await buyers(300), 5));
    const elapsed = Date.now() - started;
    expect(results).toHaveLength(360);
    const winners = expectOutcome(results, 50);
    expect(await claimsOf(api(), coupon.id)).toEqual({ claimed: 50, rows: 50, buyers: winners });
    const decisions = totalDecisions(gated, 'couponDecisions');
    // Only the claims the gate let through (or could not judge) opened a transaction.
    expect(totalSql(gated).transactions - sqlBefore).toBe(decisions.taken + decisions.skipped);
    expect(decisions.refused).toBeGreaterThanOrEqual(360 - 50 - decisions.skipped * 2);
    expect(await gateState(coupon.id)).toEqual({ claimed: 50, buyers: winners });
    process.stdout.write(
      `claim storm: 360 claims in ${elapsed} ms, gate ${JSON.stringify(decisions)}\n`,
    );
  });

  it('when Redis is flushed during a claim storm, then no more than the quantity is issued and none is stranded', async () => {
    const coupon = await makeCoupon(api(), merchant, { totalQuantity: 50 });
    const [early, late] = [await buyers(100), await buyers(100)];
    const first = storm(coupon.id, early, 4);
    let answered = 0;
    for (const s of first) void s.done.then(() => (answered += 1));
    await waitUntil(() => answered >= 30, 20_000, 'the storm to be under way');
    // The flush lands among claims in flight; the second half meets a gate without state.
    const [, second] = await Promise.all([
      api().redis.flushall(),
      Promise.resolve(storm(coupon.id, late, 4)),
    ]);
    const results = await settle([...first, ...second]);
    const winners = expectOutcome(results, 50);
    expect(await claimsOf(api(), coupon.id)).toEqual({ claimed: 50, rows: 50, buyers: winners });
    // Whatever the gate lost or miscounted meanwhile, one reconciler pass makes it
    // PostgreSQL's again, and it refuses the next buyer by itself.
    const reconciler = reconcilerOf(api(), 3_600_000);
    try {
      await reconciler.runOnce();
    } finally {
      await reconciler.stop();
    }
    expect(await gateState(coupon.id)).toEqual({ claimed: 50, buyers: winners });
    const before = totalDecisions(gated, 'couponDecisions').refused;
    const [next] = (await buyers(1)) as [Principal];
    const refused = await claim(api(), next, coupon.id);
    expect([refused.status, refused.body.code]).toEqual([409, 'coupon_sold_out']);
    expect(totalDecisions(gated, 'couponDecisions').refused - before).toBe(1);
  });

  it('when Redis is stopped, then PostgreSQL alone issues exactly the quantity', async () => {
    const coupon = await makeCoupon(api(), merchant, { totalQuantity: 5 });
    await redis.stop();
    try {
      const before = totalDecisions(gated, 'couponDecisions').skipped;
      const results = await settle(storm(coupon.id, await buyers(12), 3));
      const winners = expectOutcome(results, 5);
      expect(totalDecisions(gated, 'couponDecisions').skipped - before).toBe(16);
      expect(await claimsOf(api(), coupon.id)).toEqual({ claimed: 5, rows: 5, buyers: winners });
    } finally {
      await redis.start();
      await waitUntil(
        () => gated.every((g) => g.redis.status === 'ready'),
        10_000,
        'Redis to reconnect',
      );
    }
  });

  it('when the coupon gate drifted from PostgreSQL, then the reconciler repairs it within a period', async () => {
    const coupon = await makeCoupon(api(), merchant, { totalQuantity: 3 });
    const [first, second] = (await buyers(2)) as [Principal, Principal];
    await claim(api(), first, coupon.id).expect(201);
    // A lost undo, a process killed between gate and database: the gate says sold out.
    const keys = couponKeys(merchant.id, coupon.id);
    await api().redis.hset(keys.state, 'claimed', 3);
    await api().redis.hset(keys.holders, 'ghost', 1);
    const refused = await claim(api(), second, coupon.id);
    expect(refused.body.code).toBe('coupon_sold_out');
    const reconciler = reconcilerOf(api(), 100);
    try {
      await waitUntil(
        async () => (await gateState(coupon.id)).claimed === 1,
        5000,
        'the reconciler to reset the count',
      );
      expect((await gateState(coupon.id)).buyers).toEqual([first.id]);
      await claim(api(), second, coupon.id).expect(201);
    } finally {
      await reconciler.stop();
    }
  });
});
