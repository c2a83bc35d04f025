/**
 * The project's own servers, as scripts/lib.sh starts them: PostgreSQL on DEV_PG_PORT
 * (5439) and Redis on DEV_REDIS_PORT (6391) of 127.0.0.1. The dev database and Redis
 * database 0 are for `npm run dev`, the harness and the bench; the test database and
 * Redis database 1 are the tests'.
 */
export interface ServiceUrls {
  devDatabaseUrl: string;
  testDatabaseUrl: string;
  devRedisUrl: string;
  testRedisUrl: string;
}

/** The URLs of scripts/lib.sh's `dev_database_url`, `test_database_url`, ... */
export function serviceUrls(env: NodeJS.ProcessEnv = process.env): ServiceUrls {
  const pg = `postgres://orders:orders@127.0.0.1:${env.DEV_PG_PORT || '5439'}`;
  const redis = `redis://127.0.0.1:${env.DEV_REDIS_PORT || '6391'}`;
  return {
    devDatabaseUrl: `${pg}/orders_dev`,
    testDatabaseUrl: `${pg}/orders_test`,
    devRedisUrl: `${redis}/0`,
    testRedisUrl: `${redis}/1`,
  };
}

/** The database a tool uses when given none: `DATABASE_URL`, else the dev database. */
export function databaseUrlFrom(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATABASE_URL || serviceUrls(env).devDatabaseUrl;
}

/** The Redis a tool uses when given none: `REDIS_URL`, else the dev Redis (database 0). */
export function redisUrlFrom(env: NodeJS.ProcessEnv = process.env): string {
  return env.REDIS_URL || serviceUrls(env).devRedisUrl;
}

/** The URL with its password replaced by `***`, for logs and reports. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
