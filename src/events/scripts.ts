import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RedisClient } from '../redis';
import type { Result } from 'ioredis';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** lua/publish.lua: key stream; expected last id, then (id, json) pairs. */
    eventsPublish(...args: string[]): Result<[number, number, string], Context>;
  }
}

let source: string | undefined;
const registered = new WeakSet<RedisClient>();

/**
 * Registers the relay's script on `redis` once per connection object (the .lua file sits
 * next to this module; `npm run build` copies it). ioredis falls back to EVAL on NOSCRIPT.
 * @throws Error when the script file is missing.
 */
export function defineEventScripts(redis: RedisClient): void {
  if (registered.has(redis)) return;
  source ??= readFileSync(path.join(__dirname, 'lua', 'publish.lua'), 'utf8');
  redis.defineCommand('eventsPublish', { lua: source, numberOfKeys: 1 });
  registered.add(redis);
}
