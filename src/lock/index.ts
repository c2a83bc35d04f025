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
export { createLockMetrics, type LockMetrics, type WaitOutcome } from './metrics';
