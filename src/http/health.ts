import { Router } from 'express';
import type { RedisClient } from '../redis';
import type { Db } from '../db/knex';
import { AppError } from '../errors';
import { sendProblem } from './problem';

export interface HealthDeps {
  db: Db;
  redis: RedisClient;
  /** False once shutdown has begun: load balancers should stop sending traffic. */
  isAccepting: () => boolean;
}

const CHECK_TIMEOUT_MS = 1500;

async function check(probe: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
      CHECK_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([probe(), timeout]);
    return 'ok';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /healthz` (the process runs) and `GET /readyz` (Redis and PostgreSQL answer). */
export function healthRouter(deps: HealthDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [redis, postgres] = await Promise.all([
      check(() => deps.redis.ping()),
      check(() => deps.db.raw('select 1')),
    ]);
    const checks = { redis, postgres };
    if (!deps.isAccepting()) {
      sendProblem(
        res,
        new AppError('dependency_unavailable', 'The instance is shutting down.', {
          extensions: { checks },
          retryAfterSeconds: 1,
        }),
      );
      return;
    }
    if (redis === 'ok' && postgres === 'ok') {
      res.json({ status: 'ok', checks });
      return;
    }
    const down = Object.entries(checks)
      .filter(([, v]) => v !== 'ok')
      .map(([k]) => (k === 'postgres' ? 'PostgreSQL' : 'Redis'));
    sendProblem(
      res,
      new AppError('dependency_unavailable', `${down.join(' and ')} did not answer.`, {
        extensions: { checks },
        retryAfterSeconds: 1,
      }),
    );
  });
  return router;
}
