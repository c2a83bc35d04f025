import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { makeProduct, openApi, principal, type ApiContext } from '../helpers/api';
import { parseLimitItem, startLimited, type LimitedInstance } from '../helpers/ratelimit';

let api: ApiContext;
const opened: LimitedInstance[] = [];

beforeAll(async () => {
  api = await openApi();
});

afterAll(async () => {
  await Promise.all(opened.map((i) => i.close()));
  await api.close();
});

/**
 * `count` instances sharing one Redis key space of their own (a fresh key prefix). The
 * deadline is generous: these tests count decisions, and a loaded test machine must not
 * turn one into fail-open (rate-limit-fail-open.test.ts covers that).
 */
async function instances(count: number, perSecond: number, burst: number) {
  const keyPrefix = `rl-test-${randomUUID()}:`;
  const started = await Promise.all(
    Array.from({ length: count }, () =>
      startLimited(api, { perSecond, burst, keyPrefix, timeoutMs: 5000 }),
    ),
  );
  opened.push(...started);
  return started;
}

/** GET of a cheap route that needs a token: list one of the caller's orders. */
function get(instance: LimitedInstance, headers: Record<string, string> = {}) {
  return fetch(`${instance.url}/v1/orders?limit=1`, { headers });
}

describe('rate limits across instances', () => {
  it('when a burst of 40 goes to three instances, then exactly the burst (+ refill) passes', async () => {
    const group = await instances(3, 1, 10);
    const buyer = await principal(api.config, 'buyer');
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => get(group[i % 3]!, buyer.auth)),
    );
    const elapsedS = (performance.now() - started) / 1000;
    const statuses = answers.map((r) => r.status);
    const admitted = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(answers.filter((r) => !r.headers.has('ratelimit'))).toEqual([]);
    // GCRA admits at most burst + floor(span x rate) in any span, and the whole burst at once.
    expect(admitted).toBeGreaterThanOrEqual(10);
    expect(admitted).toBeLessThanOrEqual(10 + Math.floor(elapsedS * 1));
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - admitted);
    await Promise.all(answers.map((r) => r.arrayBuffer()));
  });

  it('when one principal is over its limit, then another is not affected', async () => {
    const [one, two] = await instances(2, 1, 3);
    const [noisy, quiet] = await Promise.all([
      principal(api.config, 'buyer'),
      principal(api.config, 'merchant'),
    ]);
    for (let i = 0; i < 4; i += 1) await (await get(one!, noisy.auth)).arrayBuffer();
    expect((await get(two!, noisy.auth)).status).toBe(429);
    const other = await get(two!, quiet.auth);
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit')).toBe('"default";r=2;t=1');
  });

  it('when requests are counted, then the headers parse and count down to a 429 problem', async () => {
    const [one, two] = await instances(2, 1, 3);
    const buyer = await principal(api.config, 'buyer');
    const seen: Record<string, number>[] = [];
    for (const instance of [one!, two!, one!]) {
      const res = await get(instance, buyer.auth);
      expect(res.status).toBe(200);
      expect(parseLimitItem(res.headers.get('ratelimit-policy') ?? '')).toEqual({
        name: 'default',
        params: { q: 3, w: 3 },
      });
      seen.push(parseLimitItem(res.headers.get('ratelimit') ?? '').params);
    }
    // t: until the burst is whole again (1 s per used unit), at r=0 until the next admission.
    expect(seen).toEqual([
      { r: 2, t: 1 },
      { r: 1, t: 2 },
      { r: 0, t: 1 },
    ]);

    const refused = await get(two!, buyer.auth);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    const limit = parseLimitItem(refused.headers.get('ratelimit') ?? '');
    expect(limit.params).toEqual({ r: 0, t: retryAfter });
    expect(await refused.json()).toMatchObject({ status: 429, code: 'rate_limited' });

    // The contract's promise: after Retry-After seconds the principal is admitted again.
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    expect((await get(one!, buyer.auth)).status).toBe(200);
  });

  it('when the token is missing or bad, then the client address is counted and 401s count', async () => {
    const [one] = await instances(1, 1, 2);
    const first = await get(one!, { Authorization: 'Bearer not.a.token' });
    expect(first.status).toBe(401);
    expect(first.headers.get('ratelimit')).toBe('"default";r=1;t=1');
    expect((await get(one!)).status).toBe(401);
    const third = await get(one!);
    expect(third.status).toBe(429);
    expect(await third.json()).toMatchObject({ code: 'rate_limited' });
    // A valid token is its own principal, not the address's.
    expect((await get(one!, (await principal(api.config, 'admin')).auth)).status).toBe(200);
  });
});

describe('rate limits from the settings', () => {
  it('when RATE_LIMIT_PER_SECOND and RATE_LIMIT_BURST are set, then createApp limits by them', async () => {
    const limited = await openApi({ RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '2' });
    try {
      const buyer = await principal(limited.config, 'buyer');
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) {
        const res = await request(limited.app).get('/v1/orders').set(buyer.auth);
        expect(res.headers['ratelimit-policy']).toBe('"default";q=2;w=2');
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await limited.close();
    }
  });

  it('when RATE_LIMIT_PER_SECOND is 0, then nothing is limited and no RateLimit fields are sent', async () => {
    expect(api.config.RATE_LIMIT_PER_SECOND).toBe(0);
    const buyer = await principal(api.config, 'buyer');
    for (let i = 0; i < 30; i += 1) {
      const res = await request(api.app).get('/v1/orders?limit=1').set(buyer.auth);
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit']).toBeUndefined();
      expect(res.headers['ratelimit-policy']).toBeUndefined();
    }
  });
});

describe('rate limits and idempotency', () => {
  it('when a POST with an Idempotency-Key is refused, then the key is not claimed', async () => {
    const [one] = await instances(1, 1, 1);
    const merchant = await principal(api.config, 'merchant');
    const buyer = await principal(api.config, 'buyer');
    const product = await makeProduct(api, merchant);
    const key = `rl-${randomUUID()}`;
    const post = () =>
      fetch(`${one!.url}/v1/orders`, {
        method: 'POST',
        headers: { ...buyer.auth, 'Content-Type': 'application/json', 'Idempotency-Key': key },
        body: JSON.stringify({ items: [{ productId: product.id, quantity: 1 }] }),
      });
    expect((await get(one!, buyer.auth)).status).toBe(200);
    const refused = await post();
    expect(refused.status).toBe(429);
    const rows = () =>
      api.db('idempotency_keys').where({ principal_id: buyer.id, key }).count({ n: '*' });
    expect(Number((await rows())[0]?.n)).toBe(0);

    await new Promise((resolve) =>
      setTimeout(resolve, Number(refused.headers.get('retry-after')) * 1000),
    );
    const placed = await post();
    expect(placed.status).toBe(201);
    expect(placed.headers.get('idempotent-replayed')).toBeNull();
    expect(Number((await rows())[0]?.n)).toBe(1);
    const orders = await api.db('orders').where({ buyer_id: buyer.id }).count({ n: '*' });
    expect(Number(orders[0]?.n)).toBe(1);
  });
});
