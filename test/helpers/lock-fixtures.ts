import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { createRedis } from '../../src/redis';
import { lockKey } from '../../src/lock';

/** A lock key no other test (or test file) uses. */
export function uniqueLockKey(label = 'test'): string {
  return lockKey(`${label}-${randomUUID()}`, '1');
}

/** A createRedis() connection (no offline queue) that is ready to use. */
export async function readyRedis(url: string, name = 'jest-lock'): Promise<Redis> {
  const redis = createRedis({ REDIS_URL: url }, name);
  redis.on('error', () => undefined);
  if (redis.status !== 'ready') {
    await new Promise<void>((resolve) => redis.once('ready', () => resolve()));
  }
  return redis;
}

/** A promise and its resolve, for "the routine has started" style hand-shakes. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Rejection of `promise`, or a failure when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
