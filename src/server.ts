import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { CouponGate, StockGate, createGateMetrics } from './catalog/gate';
import { ConfigError, loadConfig, type Config } from './config';
import { createDb } from './db/knex';
import { createApp } from './http/app';
import { createTestFaults } from './http/test-faults';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { startConsumer } from './events/consumer';
import { GIFTS_CONSUMER, applyGifts } from './events/gifts';
import { createEventMetrics } from './events/metrics';
import { startRelay } from './events/relay';
import { startGateReconciler } from './jobs/gate-reconcile';
import { refusesPrivate } from './webhooks/endpoints';
import { WEBHOOKS_CONSUMER, scheduleWebhooks } from './webhooks/schedule';
import { startWebhookSender } from './webhooks/sender';
import { startPaymentExpirySweeper } from './jobs/payment-expiry';
import { LockManager } from '@order-coordinator/lock';
import { createLockMetrics } from '@order-coordinator/lock/prometheus';
import { createLogger, type Logger } from './logger';
import { createRedis } from './redis';

/** How often an instance whose relay is not the active one tries to take over (ms). */
const RELAY_RETRY_MS = 500;

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
  const gate = config.STOCK_GATE
    ? new StockGate(redis, db, {
        timeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
        logger,
        metrics: createGateMetrics(registry),
      })
    : undefined;
  // The coupon gate rides on the same switch: STOCK_GATE=false is PostgreSQL alone.
  const couponGate = config.STOCK_GATE
    ? new CouponGate(redis, db, {
        timeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
        logger,
        metrics: createGateMetrics(registry, 'coupon_gate_decisions_total'),
      })
    : undefined;
  let accepting = true;
  const faults = createTestFaults(config);
  const app = createApp({
    config,
    logger,
    db,
    redis,
    locks,
    gate,
    couponGate,
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
  const reconciler = gate
    ? startGateReconciler(
        {
          gate,
          others: couponGate ? [couponGate] : [],
          locks,
          logger,
          lockTtlMs: config.LOCK_TTL_MS,
        },
        config.GATE_RECONCILE_INTERVAL_MS,
      )
    : undefined;

  const eventMetrics = createEventMetrics(registry);
  const relay = startRelay(
    {
      db,
      redis,
      locks,
      logger,
      stream: config.EVENTS_STREAM,
      metrics: eventMetrics,
      pollMs: config.EVENTS_RELAY_POLL_MS,
      lockTtlMs: config.EVENTS_RELAY_LOCK_TTL_MS,
      timeoutMs: config.REDIS_COMMAND_TIMEOUT_MS,
    },
    RELAY_RETRY_MS,
  );

  const consumerId = `${config.HOST}:${config.PORT}:${randomUUID().slice(0, 8)}`;
  const consumers = [
    { name: GIFTS_CONSUMER, handle: applyGifts },
    { name: WEBHOOKS_CONSUMER, handle: scheduleWebhooks },
  ].map((c) =>
    startConsumer({
      ...c,
      consumerId,
      stream: config.EVENTS_STREAM,
      db,
      redis,
      logger,
      metrics: eventMetrics,
      claimIdleMs: config.CONSUMER_CLAIM_IDLE_MS,
    }),
  );
  const sender = startWebhookSender({
    db,
    logger,
    metrics: eventMetrics,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
    retryMaxMs: config.WEBHOOK_RETRY_MAX_MS,
    giveUpAfterMs: config.WEBHOOK_GIVE_UP_HOURS * 3_600_000,
    refusePrivate: refusesPrivate(config),
  });

  let closing: Promise<void> | undefined;
  const shutdown = (reason: string): Promise<void> => {
    closing ??= (async () => {
      logger.info({ reason }, 'shutting down: no new connections, finishing requests in flight');
      accepting = false;
      // The events jobs wind down while the listener closes (a consumer's blocking read
      // ends when its connection does; a webhook in flight may take its timeout).
      const eventsStopped = Promise.all([
        relay.stop(),
        ...consumers.map((c) => c.stop()),
        sender.stop(),
      ]);
      await Promise.all([sweeper.stop(), reconciler?.stop()]);
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
      await eventsStopped;
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
