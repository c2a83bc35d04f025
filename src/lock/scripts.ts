import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type Redis from 'ioredis';
import type { Result } from 'ioredis';
import type { LockKeys } from './keys';
import type { LockStatus } from './errors';

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
const registered = new WeakSet<Redis>();

/**
 * Registers the lock scripts on `redis` once per connection object. ioredis sends EVAL
 * the first time on each socket and EVALSHA after that, and falls back to EVAL on
 * NOSCRIPT, so a SCRIPT FLUSH or a restarted server needs nothing from us.
 */
export function defineLockScripts(redis: Redis): void {
  if (registered.has(redis)) return;
  if (sources === undefined) {
    const dir = luaDir();
    sources = new Map(SCRIPTS.map((s) => [s.file, readFileSync(path.join(dir, s.file), 'utf8')]));
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
