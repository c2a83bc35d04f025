import { abortReason } from './abort';

interface Ticket {
  admit: () => void;
}

/**
 * In-process FIFO per key: of the local acquisitions of one key only the first contends
 * in Redis; the others wait here, in arrival order, until it got the lock or gave up.
 * That keeps one queue entry per process and key in Redis and one retry per wake-up.
 */
export class LocalQueue {
  private readonly queues = new Map<string, Ticket[]>();

  /**
   * Resolves when it is this caller's turn to contend for `key`; its `exit` must then be
   * called exactly once. Rejects with `onTimeout()` when `waitMs` passes first, or with
   * the abort reason when `signal` fires first; either way leaving the line.
   */
  enter(
    key: string,
    waitMs: number,
    signal: AbortSignal | undefined,
    onTimeout: () => Error,
  ): Promise<{ exit: () => void; queued: boolean }> {
    const line = this.queues.get(key) ?? [];
    this.queues.set(key, line);
    let exited = false;
    const exit = (): void => {
      if (exited) return;
      exited = true;
      this.exit(key);
    };
    if (line.length === 0) {
      line.push({ admit: () => undefined });
      return Promise.resolve({ exit, queued: false });
    }
    return new Promise((resolve, reject) => {
      const leave = (error: Error): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const index = line.indexOf(ticket);
        if (index > 0) line.splice(index, 1);
        reject(error);
      };
      const onAbort = (): void => leave(abortReason(signal));
      const timer = setTimeout(() => leave(onTimeout()), waitMs);
      const ticket: Ticket = {
        admit: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve({ exit, queued: true });
        },
      };
      line.push(ticket);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Number of local acquisitions of `key` contending or in line. */
  size(key: string): number {
    return this.queues.get(key)?.length ?? 0;
  }

  private exit(key: string): void {
    const line = this.queues.get(key);
    if (line === undefined) return;
    line.shift();
    const next = line[0];
    if (next === undefined) this.queues.delete(key);
    else next.admit();
  }
}
