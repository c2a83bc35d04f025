import { loadConfig, type Config } from '../../src/config';
import { createDb, type Db } from '../../src/db/knex';
import { createLogger } from '../../src/logger';
import { createRedis } from '../../src/redis';
import type { RedisClient } from '@order-coordinator/lock';

/**
 * Settings for integration tests: the test database and Redis from jest.config.ts. Rate
 * limiting is off unless a test turns it on: tests drive many requests per principal.
 */
export function testConfig(overrides: Partial<Record<keyof Config, string>> = {}): Config {
  return loadConfig({
    ...process.env,
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_SECOND: '0',
    ...overrides,
  });
}

export interface TestContext {
  config: Config;
  db: Db;
  redis: RedisClient;
  logger: ReturnType<typeof createLogger>;
  close: () => Promise<void>;
}

/** Real PostgreSQL and Redis clients for one test file; `close` in afterAll. */
export async function openContext(
  overrides: Partial<Record<keyof Config, string>> = {},
): Promise<TestContext> {
  const config = testConfig(overrides);
  const db = createDb(config, 'jest');
  const redis = createRedis(config, 'jest');
  redis.on('error', () => undefined);
  if (redis.status !== 'ready') {
    await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  }
  return {
    config,
    db,
    redis,
    logger: createLogger(config),
    close: async () => {
      redis.disconnect();
      await db.destroy();
    },
  };
}
