import type { Server } from 'node:http';
import { StockGate, createGateMetrics } from './catalog/gate';
import { ConfigError, loadConfig, type Config } from './config';
import { createDb } from './db/knex';
import { createApp } from './http/app';
import { createTestFaults } from './http/test-faults';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { startGateReconciler } from './jobs/gate-reconcile';
import { startPaymentExpirySweeper } from './jobs/payment-expiry';
import { LockManager, createLockMetrics } from './lock';
import { createLogger, type Logger } from './logger';
import { createRedis } from './redis';

export interface RunningServer {
  server: Server;
  /** Stops accepting, lets requests in flight finish, then closes Redis and PostgreSQL. */
  shutdown: (reason: string) => Promise<void>;
}

/** Wires the app to its dependencies and listens on HOST:PORT. */
export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const db = createDb(config, `order-coordinator:${config.PORT}`, logger);
  const redis = createRedis(config);
  redis.on('error', (error: Error) =>
    logger.warn({ err: error.message }, 'redis connection error'),
  );
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const locks = new LockManager(redis, {
    metrics: createLockMetrics(registry),
    logger,
    commandTimeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
  });
  const gate = new StockGate(redis, db, {
    timeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    logger,
    metrics: createGateMetrics(registry),
  });
  let accepting = true;
  const faults = createTestFaults(config);
  const app = createApp({
    config,
    logger,
    db,
    redis,
    locks,
    gate,
    registry,
    faults,
    isAccepting: () => accepting,
  });

  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, (error?: Error) =>
      error ? reject(error) : resolve(s),
    );
  });
  const address = server.address();
  logger.info({ address }, 'listening');
  const sweeper = startPaymentExpirySweeper(
    { db, locks, config, logger, gate, faults: faults?.transition },
    config.SWEEP_INTERVAL_MS,
  );
  const reconciler = startGateReconciler(
    { gate, locks, logger, lockTtlMs: config.LOCK_TTL_MS },
    config.GATE_RECONCILE_INTERVAL_MS,
  );

  let closing: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    closing ??= (async () => {
      logger.info({ reason }, 'shutting down: no new connections, finishing requests in flight');
      accepting = false;
      await Promise.all([sweeper.stop(), reconciler.stop()]);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const force = setTimeout(() => {
        logger.warn(
          'requests still in flight after SHUTDOWN_TIMEOUT_MS: closing their connections',
        );
        server.closeAllConnections();
      }, config.SHUTDOWN_TIMEOUT_MS);
      await closed;
      clearTimeout(force);
      await locks.close();
      await Promise.allSettled([redis.quit(), db.destroy()]);
      logger.info('shutdown complete');
    })();
    return closing;
  };
  return { server, shutdown };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config);
  const running = await startServer(config, logger);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // Every signal joins the one shutdown: a second SIGTERM must not kill requests in flight.
    process.on(signal, () => {
      running.shutdown(signal).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exit(1);
  });
}
