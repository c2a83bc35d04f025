// @ts-check
// Integration tests talk to the project's own servers (scripts/services.sh up); they
// use the test database and Redis database 1, never the dev ones.
process.env.NODE_ENV ??= 'test';
process.env.DATABASE_URL ??=
  process.env.TEST_DATABASE_URL ?? 'postgres://orders:orders@127.0.0.1:5439/orders_test';
process.env.REDIS_URL ??= process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6391/1';
process.env.LOG_LEVEL ??= 'silent';

/** @type {import('jest').Config['transform']} */
const transform = { '^.+\\.ts$': ['ts-jest', {}] };
// The lock package from its sources, as tsconfig.json's paths say.
const moduleNameMapper = {
  '^@order-coordinator/lock$': '<rootDir>/packages/lock/src/index.ts',
  '^@order-coordinator/lock/prometheus$': '<rootDir>/packages/lock/src/prometheus.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  maxWorkers: 2,
  // A liveness bound, not a speed target: two cores run servers and tests at once.
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
    },
    {
      // The lock package's own tests: unit, and integration on real Redis servers.
      displayName: 'lock',
      testMatch: ['<rootDir>/packages/lock/test/**/*.test.ts'],
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      slowTestThreshold: 30,
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      slowTestThreshold: 30,
    },
    {
      // The back office in real headless Chromium (Debian's package, see support/browser.ts).
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.test.ts'],
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      globalSetup: '<rootDir>/test/helpers/browser-setup.ts',
      slowTestThreshold: 30,
    },
    // The local Redis Cluster through a failover, and the bench on it (scripts/services.sh cluster-up); only
    // with REDIS_CLUSTER_NODES set, and alone (scripts/test.sh runs it last, in band).
    ...(process.env.REDIS_CLUSTER_NODES
      ? [
          {
            displayName: 'cluster',
            testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
            testEnvironment: 'node',
            transform,
            moduleNameMapper,
            slowTestThreshold: 60,
          },
        ]
      : []),
  ],
};
