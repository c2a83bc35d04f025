import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RedisClient } from '../redis';
import type { Result } from 'ioredis';

/** What `gcra.lua` returns: admitted (1/0), remaining now, µs to the next admission, µs to full. */
export type GcraReply = [allowed: 0 | 1, remaining: number, retryUs: number, fullUs: number];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** lua/gcra.lua: key of the principal; interval in µs, burst. */
    rateLimitGcra(key: string, intervalUs: number, burst: number): Result<GcraReply, Context>;
  }
}

let source: string | undefined;
const registered = new WeakSet<RedisClient>();

/**
 * Registers the rate-limit script on `redis` once per connection object. The .lua file
 * sits next to this module (src/ from the sources, dist/ after `npm run build`, which
 * copies it). ioredis falls back from EVALSHA to EVAL on NOSCRIPT by itself.
 * @throws Error when the script file is missing.
 */
export function defineRateLimitScripts(redis: RedisClient): void {
  if (registered.has(redis)) return;
  source ??= readFileSync(path.join(__dirname, 'lua', 'gcra.lua'), 'utf8');
  redis.defineCommand('rateLimitGcra', { numberOfKeys: 1, lua: source });
  registered.add(redis);
}
