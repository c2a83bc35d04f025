export { LockManager } from './manager';
export { LockHandle } from './handle';
export { lockKey } from './keys';
export { RedisDeadlineError, withDeadline } from './deadline';
export type { LockOptions } from './options';
export {
  LockError,
  LockBusyError,
  LockLostError,
  LockUnavailableError,
  type LockErrorCode,
} from './errors';
export { noLockMetrics, type LockMetrics, type WaitOutcome } from './metrics';
export { lockKeys, hashTag, type LockKeys } from './keys';
export { silentLogger, type LockLogger } from './logger';
export type { LockManagerOptions } from './manager';
export { isCluster, type RedisClient } from './client';
