import { randomUUID } from 'node:crypto';
import express, { type Express, type RequestHandler } from 'express';
import type { RedisClient } from '../redis';
import { pinoHttp } from 'pino-http';
import type { CouponGate, StockGate } from '../catalog/gate';
import type { Config } from '../config';
import type { Registry } from 'prom-client';
import type { Db } from '../db/knex';
import { AppError } from '../errors';
import type { LockManager } from '@order-coordinator/lock';
import type { Logger } from '../logger';
import { createRateLimiter, type RateLimiter } from '../ratelimit';
import { adminRouter } from './admin';
import { authenticate, identify, redactToken } from './auth';
import { healthRouter } from './health';
import { serveOpenApi } from './openapi/document';
import { errorHandler, notFound } from './problem';
import { rateLimit } from './rate-limit';
import { ordersRouter } from './routes/orders';
import type { TestFaults } from './test-faults';
import { productsRouter } from './routes/products';
import { couponsRouter } from './routes/coupons';
import { eventsRouter } from './routes/events';
import { webhooksRouter } from './routes/webhooks';

export interface AppDeps {
  config: Config;
  logger: Logger;
  db: Db;
  redis: RedisClient;
  locks: LockManager;
  /** Served at `GET /metrics` when given. */
  registry?: Registry;
  /** Test-only faults (createTestFaults); absent in production. */
  faults?: TestFaults;
  /** False once shutdown has begun; `/readyz` then answers 503. */
  isAccepting?: () => boolean;
  /** The Redis stock gate in front of PostgreSQL's reservation; absent: PostgreSQL alone. */
  gate?: StockGate;
  /** The Redis coupon gate in front of PostgreSQL's claims; absent: PostgreSQL alone. */
  couponGate?: CouponGate;
  /** Default: RATE_LIMIT_PER_SECOND / RATE_LIMIT_BURST on `redis` (counter on `registry`). */
  rateLimiter?: RateLimiter;
}

/** Bodies are JSON objects of at most 64 KiB (contract: larger gets 413). */
export const BODY_LIMIT = '64kb';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** A POST, PUT or PATCH with a body must say it is JSON; an empty one may say nothing. */
const requireJson: RequestHandler = (req, _res, next) => {
  if (!['POST', 'PUT', 'PATCH'].includes(req.method)) return next();
  const length = Number(req.headers['content-length'] ?? 0);
  const hasBody = length > 0 || req.headers['transfer-encoding'] !== undefined;
  if (!hasBody && req.headers['content-type'] === undefined) return next();
  if (req.is('application/json')) return next();
  next(new AppError('unsupported_media_type', 'Send the body as application/json.'));
};

/** Builds the express app; `listen()` is the caller's (see server.ts). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // One short line per request: the headers (credentials among them) stay out, a
      // stream's token in the query string is redacted, and the line costs little to
      // build and write under load.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: redactToken(req.url),
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      // A refusal (4xx) is the client's business: info, like a success; a flash sale's
      // thousands of sold-out answers must not flood the warnings.
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use(
    healthRouter({ db: deps.db, redis: deps.redis, isAccepting: deps.isAccepting ?? (() => true) }),
  );
  const registry = deps.registry;
  if (registry) {
    app.get('/metrics', async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    });
  }
  // Counted after the probes above and before the body is read or any route runs.
  app.use(identify(deps.config.AUTH_JWT_SECRET));
  app.use(
    rateLimit(
      deps.rateLimiter ??
        createRateLimiter(deps.redis, deps.config, { logger: deps.logger, registry }),
    ),
  );
  // The back office: static files that call the public API below, like any client.
  app.use('/admin', adminRouter());
  app.use(requireJson);
  app.use(express.json({ limit: BODY_LIMIT, strict: true }));
  const v1 = express.Router();
  v1.get('/openapi.json', serveOpenApi());
  v1.use(authenticate(deps.config.AUTH_JWT_SECRET));
  if (deps.faults) v1.use(deps.faults.middleware);
  v1.use('/products', productsRouter(deps));
  v1.use('/coupons', couponsRouter(deps));
  v1.use('/orders', ordersRouter({ ...deps, faults: deps.faults?.transition }));
  v1.use('/events', eventsRouter(deps));
  v1.use('/webhooks', webhooksRouter(deps));
  app.use('/v1', v1);
  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
