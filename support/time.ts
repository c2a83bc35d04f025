/**
 * Waiting, for the harness, the bench and the tests: a plain sleep, and waits for a
 * condition that another party (a process, a connection, a sweeper) makes true.
 */

/** Resolves after `ms` milliseconds (negative counts as 0). */
export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** What `waitUntil` throws when the condition did not come true in time. */
export class WaitTimeoutError extends Error {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`);
    this.name = 'WaitTimeoutError';
  }
}

/**
 * Polls `probe` every `intervalMs` until it returns true; false when `timeoutMs` passed
 * first. The probe runs at least once, and once more at the deadline.
 */
export async function pollUntil(
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await sleep(Math.min(intervalMs, deadline + 1 - Date.now()));
  }
}

/**
 * Waits until `probe` returns true, for a condition that becomes true by itself (a
 * reconnect, a sweeper run, a request reaching a lock queue), never to retry an
 * assertion.
 * @param what names the condition in the error, e.g. `'the waiter to queue'`.
 * @throws WaitTimeoutError naming `what` when `timeoutMs` passed first.
 * @example await waitUntil(async () => (await redis.llen(queue)) === 1, 5000, 'the waiter to queue');
 */
export async function waitUntil(
  probe: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
  intervalMs = 50,
): Promise<void> {
  if (!(await pollUntil(probe, timeoutMs, intervalMs))) throw new WaitTimeoutError(what, timeoutMs);
}
