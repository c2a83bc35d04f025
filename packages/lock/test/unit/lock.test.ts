import { LockBusyError, LockError, LockLostError, LockUnavailableError, lockKey } from '../../src';
import { errorForStatus, LockStatus, toLockError } from '../../src/errors';
import { hashTag, lockKeys } from '../../src/keys';
import { abortReason } from '../../src/abort';
import { checkLockOptions, driftMs, renewEveryMs } from '../../src/options';

describe('lockKey', () => {
  it('when given a kind and an id, then it builds a hash-tagged key', () => {
    expect(lockKey('order', 'a1')).toBe('lock:{order:a1}');
  });

  it.each([
    ['', 'a'],
    ['order', ''],
    ['or{der', 'a'],
    ['order', 'a}b'],
  ])('when kind %j or id %j is empty or has a brace, then it throws TypeError', (kind, id) => {
    expect(() => lockKey(kind, id)).toThrow(TypeError);
  });
});

describe('lockKeys', () => {
  it('when derived from a lock key, then every companion has the same hash tag', () => {
    const keys = lockKeys(lockKey('order', '42'));
    const names = [keys.lock, keys.queue, keys.deadlines, keys.channel];
    expect(new Set(names).size).toBe(4);
    expect(names.map(hashTag)).toEqual(['order:42', 'order:42', 'order:42', 'order:42']);
  });

  it.each(['plain', 'lock:{}', 'lock:}x{', 'lock:{open'])(
    'when the key %j has no usable hash tag, then it throws TypeError',
    (key) => {
      expect(() => lockKeys(key)).toThrow(TypeError);
    },
  );
});

describe('checkLockOptions', () => {
  it('when the durations are integers in range, then it accepts them', () => {
    const signal = new AbortController().signal;
    expect(() => checkLockOptions({ ttlMs: 10, waitMs: 0 })).not.toThrow();
    expect(() => checkLockOptions({ ttlMs: 10_000, waitMs: 5000, signal })).not.toThrow();
  });

  it.each([
    [{ ttlMs: 9, waitMs: 0 }],
    [{ ttlMs: 10.5, waitMs: 0 }],
    [{ ttlMs: Number.NaN, waitMs: 0 }],
    [{ ttlMs: 100, waitMs: -1 }],
    [{ ttlMs: 100, waitMs: 1.5 }],
    [{ ttlMs: 2 ** 31, waitMs: 0 }],
  ])('when options are %j, then it throws RangeError', (options) => {
    expect(() => checkLockOptions(options)).toThrow(RangeError);
  });

  it('when a duration is not a number or the signal is not an AbortSignal, then TypeError', () => {
    const bad = { ttlMs: '100', waitMs: 0 } as unknown as { ttlMs: number; waitMs: number };
    expect(() => checkLockOptions(bad)).toThrow(TypeError);
    const signal = {} as AbortSignal;
    expect(() => checkLockOptions({ ttlMs: 100, waitMs: 0, signal })).toThrow(TypeError);
  });
});

describe('lease arithmetic', () => {
  it('when the lease is 10 s, then drift is 102 ms and renewals come every 3333 ms', () => {
    expect(driftMs(10_000)).toBe(102);
    expect(renewEveryMs(10_000)).toBe(3333);
  });

  it('when the lease is the minimum 10 ms, then drift is 2 ms and renewals every 3 ms', () => {
    expect(driftMs(10)).toBe(2);
    expect(renewEveryMs(10)).toBe(3);
  });
});

describe('errorForStatus', () => {
  it('when the status is Ok, then there is no error', () => {
    expect(errorForStatus(LockStatus.Ok, 'k')).toBeUndefined();
  });

  it('when busy or queued, then LockBusyError with the remaining ms', () => {
    for (const status of [LockStatus.Busy, LockStatus.Queued] as const) {
      const error = errorForStatus(status, 'k', 1234);
      expect(error).toBeInstanceOf(LockBusyError);
      expect(error).toMatchObject({ code: 'busy', key: 'k', remainingMs: 1234 });
    }
  });

  it('when expired or taken, then LockLostError', () => {
    for (const status of [LockStatus.Expired, LockStatus.Taken] as const) {
      const error = errorForStatus(status, 'k');
      expect(error).toBeInstanceOf(LockLostError);
      expect(error).toBeInstanceOf(LockError);
      expect(error?.code).toBe('lost');
    }
  });

  it('when the status is unknown, then LockUnavailableError', () => {
    expect(errorForStatus(99 as LockStatus, 'k')).toBeInstanceOf(LockUnavailableError);
  });
});

describe('toLockError', () => {
  it('when a connection error comes, then LockUnavailableError keeping the cause', () => {
    const cause = new Error("Stream isn't writeable and enableOfflineQueue options is false");
    const error = toLockError(cause, 'k');
    expect(error).toBeInstanceOf(LockUnavailableError);
    expect(error.cause).toBe(cause);
  });

  it('when Redis replies with a script error, then it stays as it is', () => {
    const reply = Object.assign(new Error('ERR user_script:1: boom'), { name: 'ReplyError' });
    expect(toLockError(reply, 'k')).toBe(reply);
  });

  it('when Redis replies LOADING, then LockUnavailableError', () => {
    const reply = Object.assign(new Error('LOADING Redis is loading'), { name: 'ReplyError' });
    expect(toLockError(reply, 'k')).toBeInstanceOf(LockUnavailableError);
  });

  it('when the error is already a LockError, then it is passed through', () => {
    const busy = new LockBusyError('k', 5);
    expect(toLockError(busy, 'k')).toBe(busy);
  });
});

describe('abortReason', () => {
  it('when aborted without a reason, then an AbortError', () => {
    const controller = new AbortController();
    controller.abort();
    expect(abortReason(controller.signal)).toMatchObject({ name: 'AbortError' });
  });

  it('when aborted with an Error, then that very error', () => {
    const controller = new AbortController();
    const reason = new Error('client went away');
    controller.abort(reason);
    expect(abortReason(controller.signal)).toBe(reason);
  });
});
