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

/** Calls per command name from INFO commandstats (includes commands run by scripts). */
export { commandStats as commandCalls } from '../../bench/commands';

/** How many more calls each command got between two snapshots (INFO itself left out). */
export function callsBetween(
  before: Map<string, number>,
  after: Map<string, number>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, count] of after) {
    const more = count - (before.get(name) ?? 0);
    if (more > 0 && name !== 'info') delta[name] = more;
  }
  return delta;
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

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
