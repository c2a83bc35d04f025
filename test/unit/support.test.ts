import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL } from '../../src/config';
import { canonicalJson } from '../../support/json';
import { commandDelta } from '../../support/redis-stats';
import { percentile } from '../../support/stats';
import { pollUntil, waitUntil, WaitTimeoutError } from '../../support/time';
import { databaseUrlFrom, redact, redisUrlFrom, serviceUrls } from '../../support/urls';

describe('support: waiting', () => {
  it('when the condition comes true, then waitUntil resolves without waiting out the time', async () => {
    let calls = 0;
    const started = Date.now();
    await waitUntil(() => ++calls >= 3, 5000, 'three calls', 5);
    expect(calls).toBe(3);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('when the condition never comes true, then waitUntil names what it waited for', async () => {
    const error = await waitUntil(() => false, 30, 'the moon', 5).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toBe('timed out after 30 ms waiting for the moon');
    expect(await pollUntil(() => false, 20, 5)).toBe(false);
  });
});

describe('support: numbers and JSON', () => {
  it('when samples are given in any order, then percentiles are nearest-rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile([7], 50)).toBe(7);
    expect(percentile([], 50)).toBe(0);
    expect(xs[0]).toBe(100); // the caller's array is left as it was
  });

  it('when objects differ only in key order, then their canonical JSON is equal', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: null }] })).toBe('{"a":[{"c":null,"d":2}],"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('when two INFO snapshots are compared, then the delta leaves out the first INFO and unchanged commands', () => {
    const before = new Map([
      ['info', 4],
      ['get', 10],
      ['evalsha', 3],
    ]);
    const after = new Map([
      ['info', 5],
      ['get', 10],
      ['evalsha', 5],
      ['subscribe', 1],
    ]);
    expect(Object.fromEntries(commandDelta(before, after))).toEqual({ evalsha: 2, subscribe: 1 });
  });
});

describe('support: service URLs', () => {
  it('when no port is overridden, then the dev URLs are the API defaults and the test ones use orders_test and Redis 1', () => {
    const urls = serviceUrls({});
    expect(urls.devDatabaseUrl).toBe(DEFAULT_DATABASE_URL);
    expect(urls.devRedisUrl).toBe(DEFAULT_REDIS_URL);
    expect(urls.testDatabaseUrl).toBe('postgres://orders:orders@127.0.0.1:5439/orders_test');
    expect(urls.testRedisUrl).toBe('redis://127.0.0.1:6391/1');
  });

  it('when DEV_PG_PORT / DEV_REDIS_PORT are set, then the URLs follow them as scripts/lib.sh does', () => {
    const urls = serviceUrls({ DEV_PG_PORT: '6000', DEV_REDIS_PORT: '7000' });
    expect(urls.testDatabaseUrl).toBe('postgres://orders:orders@127.0.0.1:6000/orders_test');
    expect(urls.devRedisUrl).toBe('redis://127.0.0.1:7000/0');
  });

  it('when DATABASE_URL / REDIS_URL are set (and not empty), then they win over the dev defaults', () => {
    const env = { DATABASE_URL: 'postgres://u:p@h:1/d', REDIS_URL: 'redis://h:2/3' };
    expect(databaseUrlFrom(env)).toBe('postgres://u:p@h:1/d');
    expect(redisUrlFrom(env)).toBe('redis://h:2/3');
    expect(databaseUrlFrom({ DATABASE_URL: '' })).toBe(DEFAULT_DATABASE_URL);
    expect(redisUrlFrom({})).toBe(DEFAULT_REDIS_URL);
    expect(redact('postgres://orders:secret@127.0.0.1:5439/x')).toBe(
      'postgres://orders:***@127.0.0.1:5439/x',
    );
  });
});
