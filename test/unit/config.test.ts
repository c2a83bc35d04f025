import { ConfigError, DEV_JWT_SECRET, loadConfig } from '../../src/config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('when nothing is set, then the contract defaults apply', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      PAYMENT_TTL_SECONDS: 900,
      LOCK_TTL_MS: 10_000,
      LOCK_WAIT_MS: 5000,
      AUTH_JWT_SECRET: DEV_JWT_SECRET,
      NODE_ENV: 'development',
      TEST_DISABLE_VERSION_CHECK: false,
    });
    expect(config.DATABASE_URL).toMatch(/^postgres:\/\/.*127\.0\.0\.1:5439\/orders_dev$/);
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6391/0');
  });

  it('when values are given, then they are parsed to their types', () => {
    const config = loadConfig({
      PORT: '8080',
      LOCK_TTL_MS: '2500',
      REDIS_URL: 'redis://10.0.0.1:6379/2',
      TEST_DISABLE_VERSION_CHECK: 'true',
    });
    expect(config.PORT).toBe(8080);
    expect(config.LOCK_TTL_MS).toBe(2500);
    expect(config.REDIS_URL).toBe('redis://10.0.0.1:6379/2');
    expect(config.TEST_DISABLE_VERSION_CHECK).toBe(true);
  });

  it('when REDIS_CLUSTER_NODES is set, then it is parsed to host and port seeds', () => {
    expect(loadConfig({}).REDIS_CLUSTER_NODES).toBeUndefined();
    expect(
      loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7101,redis-b.internal:6379' })
        .REDIS_CLUSTER_NODES,
    ).toEqual([
      { host: '127.0.0.1', port: 7101 },
      { host: 'redis-b.internal', port: 6379 },
    ]);
  });

  it('when a variable is empty, then it counts as unset', () => {
    expect(loadConfig({ PORT: '' }).PORT).toBe(3000);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '1.5'],
    ['LOCK_TTL_MS', '-1'],
    ['LOCK_WAIT_MS', 'soon'],
    ['PAYMENT_TTL_SECONDS', '0'],
    ['DATABASE_URL', 'mysql://x/y'],
    ['REDIS_URL', 'not a url'],
    ['REDIS_CLUSTER_NODES', '127.0.0.1'],
    ['REDIS_CLUSTER_NODES', 'a:1,,b:2'],
    ['AUTH_JWT_SECRET', 'short'],
    ['NODE_ENV', 'staging'],
    ['TEST_DISABLE_VERSION_CHECK', 'maybe'],
  ])('when %s=%s, then start-up fails naming the variable', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name} `));
    expect(problems[0]).toContain(JSON.stringify(value));
  });

  it('when several values are bad, then every one is named', () => {
    const problems = problemsOf({ PORT: 'x', LOCK_TTL_MS: 'y' });
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual(['LOCK_TTL_MS', 'PORT']);
  });

  it('when NODE_ENV=production, then the dev secret and the test-only faults are refused', () => {
    const problems = problemsOf({
      NODE_ENV: 'production',
      TEST_FAULTS: 'true',
      TEST_DISABLE_VERSION_CHECK: '1',
    });
    expect(problems.map((p) => p.split(' ')[0]).sort()).toEqual([
      'AUTH_JWT_SECRET',
      'TEST_DISABLE_VERSION_CHECK',
      'TEST_FAULTS',
    ]);
  });

  it('when NODE_ENV=production with a real secret, then it starts', () => {
    const secret = 'x'.repeat(40);
    expect(loadConfig({ NODE_ENV: 'production', AUTH_JWT_SECRET: secret }).AUTH_JWT_SECRET).toBe(
      secret,
    );
  });
});
