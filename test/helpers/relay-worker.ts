// Runs one event relay in its own OS process (spawned with `node --import tsx`), so that
// a test can SIGKILL it mid-publish. Settings come from the environment: DATABASE_URL,
// REDIS_URL, RELAY_STREAM.
import { loadConfig } from '../../src/config';
import { createDb } from '../../src/db/knex';
import { startRelay } from '../../src/events/relay';
import { LockManager } from '@order-coordinator/lock';
import { createLogger } from '../../src/logger';
import { createRedis } from '../../src/redis';

const config = loadConfig({ ...process.env, LOG_LEVEL: 'silent' });
const db = createDb(config, 'relay-worker');
const redis = createRedis(config, 'relay-worker');
redis.on('error', () => undefined);
const logger = createLogger(config);
const locks = new LockManager(redis);
startRelay(
  {
    db,
    redis,
    locks,
    logger,
    stream: process.env.RELAY_STREAM ?? 'events:{relay-worker}',
    pollMs: 5,
    batch: 7,
    lockTtlMs: 1000,
    timeoutMs: 1000,
  },
  50,
);
process.stdout.write('relay started\n');
