import { abortReason } from './abort';

/** A Redis round trip that did not answer within its deadline (a stalled server or socket). */
export class RedisDeadlineError extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`Redis did not answer ${what} within ${ms} ms`);
    this.name = 'RedisDeadlineError';
  }
}

/**
 * Settles like `call`, unless `ms` pass first (rejects with RedisDeadlineError) or one of
 * `signals` aborts first (rejects with its reason). The call itself cannot be taken back:
 * a reply that comes later is dropped here, so the caller must make its effect harmless
 * (see Contention.attempt, which undoes a late grant).
 */
export function withDeadline<T>(
  call: Promise<T>,
  ms: number,
  what: string,
  ...signals: (AbortSignal | undefined)[]
): Promise<T> {
  for (const signal of signals) {
    if (signal?.aborted) {
      call.catch(() => undefined);
      return Promise.reject(abortReason(signal));
    }
  }
  return new Promise<T>((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      for (const signal of signals) signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (event: Event): void => {
      cleanup();
      reject(abortReason(event.target as AbortSignal));
    };
    // Reject in the check phase, after the poll phase: a reply that arrived while the
    // event loop was busy is read first, so a process that lagged does not give up on an
    // answer it already has.
    const timer = setTimeout(() => {
      setImmediate(() => {
        cleanup();
        reject(new RedisDeadlineError(what, ms));
      });
    }, ms);
    for (const signal of signals) signal?.addEventListener('abort', onAbort, { once: true });
    call.then(
      (value) => {
        cleanup();
        resolve(value);
      },
      (error: unknown) => {
        cleanup();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/** Waits for `work` at most `ms` (it runs on afterwards); never rejects. */
export async function settleWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([work.then(noop, noop), timeout]);
  clearTimeout(timer);
}

function noop(): void {}
