import type { RedisClient } from '@order-coordinator/lock';
import type { Db } from '../src/db/knex';
import { LockManager, type LockMetrics } from '@order-coordinator/lock';
import type { Logger } from '../src/logger';
import type { CoordinatorDeps } from '../src/orders/coordinator';
import type { Config } from '../src/config';
import type { WaitSink } from './transitions';

/** Lock metrics that pass each granted acquisition's wait (ms) to the current sink. */
export class WaitTap implements LockMetrics {
  sink: WaitSink = () => undefined;
  waited(ms: number, outcome: string): void {
    if (outcome === 'acquired') this.sink(ms);
  }
  held(): void {}
  contended(): void {}
  renewed(): void {}
  lost(): void {}
}

/** A lock manager as one API instance has it: one per process and Redis connection. */
export function lockManager(redis: RedisClient, logger: Logger, tap = new WaitTap()) {
  return { locks: new LockManager(redis, { metrics: tap, logger }), tap };
}

/** The coordinator's dependencies exactly as the API wires them (no test faults). */
export function coordinatorDeps(
  db: Db,
  locks: LockManager,
  config: Config,
  logger: Logger,
): CoordinatorDeps {
  return {
    db,
    locks,
    logger,
    config: {
      LOCK_TTL_MS: config.LOCK_TTL_MS,
      LOCK_WAIT_MS: config.LOCK_WAIT_MS,
    },
  };
}
