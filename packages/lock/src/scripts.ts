import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { RedisClient } from './client';
import type { Result } from 'ioredis';
import type { LockKeys } from './keys';
import type { LockStatus } from './errors';

/**
 * How late after its wake time a queued waiter may come back before others may drop it
 * from the Redis queue: covers a round trip plus an event-loop stall of up to ~1 s.
 */
export const GRACE_MS = 1000;

/** What `acquire.lua` returns: status, the holder's remaining ms, ms to sleep before retrying. */
export type AcquireReply = [status: LockStatus, remainingMs: number, wakeMs: number];

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** lua/acquire.lua: keys lock, queue, deadlines. */
    lockAcquire(
      lock: string,
      queue: string,
      deadlines: string,
      token: string,
      leaseMs: number,
      mode: 'wait' | 'try',
      waitLeftMs: number,
      graceMs: number,
      channel: string,
    ): Result<AcquireReply, Context>;
    /** lua/release.lua: keys lock, queue, deadlines. */
    lockRelease(
      lock: string,
      queue: string,
      deadlines: string,
      token: string,
      channel: string,
      graceMs: number,
    ): Result<LockStatus, Context>;
    /** lua/extend.lua: key lock. */
    lockExtend(lock: string, token: string, leaseMs: number): Result<LockStatus, Context>;
    /** lua/leave.lua: keys lock, queue, deadlines. */
    lockLeave(
      lock: string,
      queue: string,
      deadlines: string,
      token: string,
      channel: string,
      graceMs: number,
    ): Result<LockStatus, Context>;
  }
}

/**
 * The .lua files sit next to this module: in src/ when run from the sources (tsx,
 * ts-jest), in dist/ after `npm run build`, which copies them there.
 */
function luaDir(): string {
  const dir = path.join(__dirname, 'lua');
  if (!existsSync(path.join(dir, 'acquire.lua')))
    throw new Error(`lock scripts not found in ${dir}`);
  return dir;
}

const SCRIPTS = [
  { command: 'lockAcquire', file: 'acquire.lua', numberOfKeys: 3 },
  { command: 'lockRelease', file: 'release.lua', numberOfKeys: 3 },
  { command: 'lockExtend', file: 'extend.lua', numberOfKeys: 1 },
  { command: 'lockLeave', file: 'leave.lua', numberOfKeys: 3 },
] as const;

let sources: Map<string, string> | undefined;
const registered = new WeakSet<RedisClient>();

/**
 * Registers the lock scripts on `redis` once per connection object. ioredis sends EVAL
 * the first time on each socket and EVALSHA after that, and falls back to EVAL on
 * NOSCRIPT, so a SCRIPT FLUSH or a restarted server needs nothing from us.
 */
export function defineLockScripts(redis: RedisClient): void {
  if (registered.has(redis)) return;
  if (sources === undefined) {
    const dir = luaDir();
    // Every script starts with the shared helpers (Redis scripts cannot include files).
    const prelude = readFileSync(path.join(dir, 'prelude.lua'), 'utf8');
    sources = new Map(
      SCRIPTS.map((s) => [s.file, `${prelude}\n${readFileSync(path.join(dir, s.file), 'utf8')}`]),
    );
  }
  for (const script of SCRIPTS) {
    redis.defineCommand(script.command, {
      numberOfKeys: script.numberOfKeys,
      lua: sources.get(script.file) ?? '',
    });
  }
  registered.add(redis);
}

/** The keys argument triple most scripts take. */
export function scriptKeys(keys: LockKeys): [string, string, string] {
  return [keys.lock, keys.queue, keys.deadlines];
}
