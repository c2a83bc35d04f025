import { defaultOptions, parseFaults, parseOptions } from '../../harness/options';
import { requestLine } from '../../harness/history';
import { HistoryBuilder } from '../../harness/checker/synthetic';

describe('the harness CLI options', () => {
  it('when nothing is given, then three instances, bounded seconds and ops, no faults', () => {
    const o = parseOptions([]);
    if (o === 'help') throw new Error('unexpected help');
    expect(o).toMatchObject({ instances: 3, seconds: 30, faults: [], disableVersionCheck: false });
    expect(o.ops).toBeGreaterThan(0);
    expect(o.pauseMs).toBeGreaterThan(o.lockTtlMs);
    expect(o.requestTimeoutMs).toBeGreaterThan(o.pauseMs + o.lockWaitMs);
  });

  it('when faults are listed or "all", then they are selected, aliases by their own names; an unknown one is refused', () => {
    expect(parseFaults('all')).toEqual([
      'pause',
      'redis-restart',
      'kill',
      'pg-drop',
      'redis-stall',
      'subscriber-cut',
      'flushall',
      'relay-kill',
      'consumer-kill',
      'webhook-fail',
    ]);
    expect(parseFaults('kill,pause,kill')).toEqual(['kill', 'pause']);
    // Issue 10's name for Redis losing its data while running.
    expect(parseFaults('redis-flush,flushall')).toEqual(['flushall']);
    expect(parseOptions(['--fault-period', 'redis-flush=5000'])).toMatchObject({
      periods: { flushall: 5000 },
    });
    expect(parseFaults('none')).toEqual([]);
    expect(() => parseFaults('pause,meteor')).toThrow(/unknown fault meteor/);
  });

  it('when --redis-cluster is given, then "all" means the cluster faults and no single-Redis fault, which are refused', () => {
    expect(parseFaults('all', true)).toEqual([
      'pause',
      'kill',
      'pg-drop',
      'relay-kill',
      'consumer-kill',
      'webhook-fail',
      'failover',
      'reshard',
    ]);
    expect(parseOptions(['--redis-cluster', '--faults', 'failover,reshard,kill'])).toMatchObject({
      redisCluster: true,
      faults: ['failover', 'reshard', 'kill'],
    });
    expect(() => parseOptions(['--redis-cluster', '--faults', 'redis-stall'])).toThrow(
      /redis-stall acts on one redis-server and cannot run with --redis-cluster/,
    );
    expect(() => parseOptions(['--faults', 'failover'])).toThrow(/failover needs --redis-cluster/);
    expect(() => parseOptions(['--redis-cluster', '--private-redis'])).toThrow(/--redis-cluster/);
  });

  it('when no URL is given, then DATABASE_URL and REDIS_URL are used, else the dev servers', () => {
    const env = { DATABASE_URL: 'postgres://u:p@h:1/d', REDIS_URL: 'redis://h:2/3' };
    expect(defaultOptions(env)).toMatchObject({
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
    });
    expect(defaultOptions({})).toMatchObject({
      databaseUrl: 'postgres://orders:orders@127.0.0.1:5439/orders_dev',
      redisUrl: 'redis://127.0.0.1:6391/0',
    });
    const o = parseOptions(['--own-database', '--private-redis', '--latency-margin-ms', '900']);
    expect(o).toMatchObject({ ownDatabase: true, privateRedis: true, latencyMarginMs: 900 });
  });

  it('when values are given, then they are parsed and checked', () => {
    const o = parseOptions([
      '--instances',
      '2',
      '--seconds',
      '300',
      '--faults',
      'pause',
      '--fault-period',
      'pause=1500',
      '--disable-version-check',
      '--redis-url',
      'redis://127.0.0.1:1/0',
    ]);
    if (o === 'help') throw new Error('unexpected help');
    expect(o).toMatchObject({
      instances: 2,
      seconds: 300,
      faults: ['pause'],
      disableVersionCheck: true,
      redisUrl: 'redis://127.0.0.1:1/0',
    });
    expect(o.periods.pause).toBe(1500);
    expect(o.latencyMarginMs).toBe(1500);
    expect(() => parseOptions(['--instances', '0'])).toThrow(/--instances/);
    expect(() =>
      parseOptions(['--faults', 'pause', '--lock-ttl-ms', '3000', '--pause-ms', '2000']),
    ).toThrow(/longer than --lock-ttl-ms/);
    expect(() => parseOptions(['--bogus'])).toThrow();
    expect(parseOptions(['--help'])).toBe('help');
  });
});

describe('the harness report helpers', () => {
  it('when a request is printed, then the line shows who, what, the key and the answer', () => {
    const h = new HistoryBuilder();
    const o = h.order(1000);
    const r = o.apply('pay', { amountCents: 1000 }, { idempotencyKey: 'k1' });
    expect(requestLine(r)).toMatch(
      /^req #2 .* buyer:b1 POST pay \{"amountCents":1000\} key=k1 -> 200 v2 paid/,
    );
    const lost = o.request('cancel', { outcome: 'unknown', error: 'ECONNRESET' });
    expect(requestLine(lost)).toContain('-> unknown (ECONNRESET)');
  });
});
