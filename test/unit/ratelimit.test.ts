import { ConfigError, loadConfig } from '../../src/config';
import {
  formatPolicy,
  formatRateLimit,
  policyWindowSeconds,
  retryAfterSeconds,
} from '../../src/ratelimit';
import { parseLimitItem as parseItem } from '../helpers/ratelimit';

describe('RateLimit header fields (draft-ietf-httpapi-ratelimit-headers-11)', () => {
  it('when the defaults apply, then the policy is the burst over the seconds it takes to refill', () => {
    expect(formatPolicy({ perSecond: 200, burst: 400 })).toBe('"default";q=400;w=2');
    expect(parseItem(formatPolicy({ perSecond: 200, burst: 400 }))).toEqual({
      name: 'default',
      params: { q: 400, w: 2 },
    });
  });

  it('when the burst refills in under a second or in a fraction, then w rounds up to whole seconds', () => {
    expect(policyWindowSeconds({ perSecond: 200, burst: 1 })).toBe(1);
    expect(policyWindowSeconds({ perSecond: 3, burst: 10 })).toBe(4);
    expect(formatPolicy({ perSecond: 1, burst: 10 })).toBe('"default";q=10;w=10');
  });

  it('when requests remain, then t is the time until the whole burst is back', () => {
    const value = formatRateLimit({ allowed: true, remaining: 7, retryMs: 0, fullMs: 2400 });
    expect(value).toBe('"default";r=7;t=3');
    expect(parseItem(value).params).toEqual({ r: 7, t: 3 });
  });

  it('when none remain, then t is the wait for the next request, as Retry-After', () => {
    const refused = { allowed: false, remaining: 0, retryMs: 1200, fullMs: 9000 };
    expect(formatRateLimit(refused)).toBe('"default";r=0;t=2');
    expect(retryAfterSeconds(refused)).toBe(2);
  });

  it('when the wait is a few milliseconds, then Retry-After and t are still at least 1', () => {
    const last = { allowed: true, remaining: 0, retryMs: 5, fullMs: 2000 };
    expect(retryAfterSeconds(last)).toBe(1);
    expect(formatRateLimit(last)).toBe('"default";r=0;t=1');
    expect(retryAfterSeconds({ retryMs: 1000 })).toBe(1);
    expect(retryAfterSeconds({ retryMs: 1000.001 })).toBe(2);
  });
});

describe('rate-limit settings', () => {
  it('when nothing is set, then 200 per second with a burst of 400', () => {
    expect(loadConfig({})).toMatchObject({ RATE_LIMIT_PER_SECOND: 200, RATE_LIMIT_BURST: 400 });
  });

  it('when the limit is 0, then it is off and the burst may be 0', () => {
    expect(loadConfig({ RATE_LIMIT_PER_SECOND: '0', RATE_LIMIT_BURST: '0' })).toMatchObject({
      RATE_LIMIT_PER_SECOND: 0,
      RATE_LIMIT_BURST: 0,
    });
  });

  it('when limiting with a burst of 0, a negative or a fractional value, then each is named', () => {
    const problems = (env: NodeJS.ProcessEnv): string[] => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
        throw error;
      }
    };
    expect(problems({ RATE_LIMIT_BURST: '0' })).toEqual([
      'RATE_LIMIT_BURST must be at least 1 while RATE_LIMIT_PER_SECOND is above 0 (got "0")',
    ]);
    expect(problems({ RATE_LIMIT_PER_SECOND: '-1' })[0]).toMatch(/^RATE_LIMIT_PER_SECOND /);
    expect(problems({ RATE_LIMIT_BURST: '2.5' })[0]).toMatch(/^RATE_LIMIT_BURST /);
  });
});
