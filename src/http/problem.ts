import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { isDbUnavailable } from '../db/pg-errors';
import { AppError } from '../errors';
import { LockBusyError, LockUnavailableError } from '@order-coordinator/lock';
import type { Logger } from '../logger';

/** Sends an AppError as `application/problem+json`, with `Retry-After` when it has one. */
export function sendProblem(res: Response, error: AppError): void {
  if (error.retryAfterSeconds !== undefined) {
    res.setHeader('Retry-After', String(error.retryAfterSeconds));
  }
  res.status(error.status).type('application/problem+json').send(JSON.stringify(error.toProblem()));
}

interface BodyParserError {
  type?: unknown;
  status?: unknown;
}

/** Turns anything thrown into a problem document: the one error -> HTTP mapping. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const parserType = (error as BodyParserError | null)?.type;
  if (parserType === 'entity.parse.failed') {
    return new AppError('malformed_json', 'The request body is not valid JSON.');
  }
  if (parserType === 'entity.too.large') {
    return new AppError('payload_too_large', 'The request body is larger than 64 KiB.');
  }
  if (parserType === 'encoding.unsupported' || parserType === 'charset.unsupported') {
    return new AppError('unsupported_media_type', 'The request body encoding is not supported.');
  }
  if (typeof parserType === 'string' && (error as BodyParserError).status === 400) {
    return new AppError('malformed_json', 'The request body could not be read.');
  }
  if (error instanceof LockBusyError) {
    return new AppError('order_busy', 'The order is busy with another change; retry shortly.', {
      retryAfterSeconds: Math.max(1, Math.ceil(error.remainingMs / 1000)),
      cause: error,
    });
  }
  if (error instanceof LockUnavailableError) {
    return new AppError('dependency_unavailable', 'Redis is unreachable; nothing was changed.', {
      retryAfterSeconds: 1,
      cause: error,
    });
  }
  if (isDbUnavailable(error)) {
    return new AppError('dependency_unavailable', 'PostgreSQL is unreachable; retry shortly.', {
      retryAfterSeconds: 1,
      cause: error,
    });
  }
  return new AppError('internal', 'An unexpected error occurred.', { cause: error });
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const appError = toAppError(error);
    if (appError.code === 'internal') logger.error({ err: error }, 'unhandled error');
    sendProblem(res, appError);
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new AppError('not_found', `No route for ${req.method} ${req.path}.`));
};
