import { randomBytes } from 'node:crypto';
import type { RedisClient } from '@order-coordinator/lock';
import type { Result } from 'ioredis';
import { sleep } from '../support/time';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** bench's token-checked delete: KEYS[1] lock; ARGV[1] token; returns 1 deleted, 0 not. */
    benchUnlock(key: string, token: string): Result<number, Context>;
  }
}

/** KEYS[1] lock key; ARGV[1] the holder's token. Returns 1 when deleted, 0 when not ours. */
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/**
 * The smallest correct Redis lock, the baseline of the lock scenarios: `SET key token NX
 * PX ttl` to take it, a token-checked delete (one Lua call) to give it back. When the key
 * is busy it polls every `pollMs` (it has no queue and no notification).
 */
export class RawLock {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlMs: number,
    private readonly pollMs = 5,
  ) {
    redis.defineCommand('benchUnlock', { numberOfKeys: 1, lua: UNLOCK });
  }

  /** Takes `key` within `waitMs` ms, runs `routine`, always releases. */
  async withLock(key: string, waitMs: number, routine: () => Promise<void>): Promise<void> {
    const token = randomBytes(16).toString('hex');
    const deadline = Date.now() + waitMs;
    while ((await this.redis.set(key, token, 'PX', this.ttlMs, 'NX')) !== 'OK') {
      if (Date.now() >= deadline) throw new RawLockBusyError(`${key} stayed busy ${waitMs} ms`);
      await sleep(this.pollMs);
    }
    try {
      await routine();
    } finally {
      await this.redis.benchUnlock(key, token);
    }
  }
}

export class RawLockBusyError extends Error {
  readonly code = 'busy';
}
