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
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      testEnvironment: 'node',
      transform,
      globalSetup: '<rootDir>/test/helpers/global-setup.ts',
      slowTestThreshold: 30,
    },
  ],
};
