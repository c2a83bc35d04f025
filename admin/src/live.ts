/**
 * Live updates: views subscribe to a change feed and reload what they show when it says
 * something changed. The feed is the API's event stream (`GET /v1/events/stream`), which
 * names the order that changed (views filter on `orderId`), with a short poll beside it
 * (every view reloads once a second), so a change made elsewhere shows within 2 s even
 * when the stream is held back or down.
 */
export interface Change {
  /** The order that changed; absent: anything may have changed (a poll tick). */
  orderId?: string;
  /** A product whose stock may have changed. */
  productId?: string;
}

export interface ChangeFeed {
  /** Calls `listener` on every change until the returned function is called. */
  subscribe(listener: (change: Change) => void): () => void;
}

/** True when `change` may concern the order `orderId`. */
export const concernsOrder = (change: Change, orderId: string): boolean =>
  change.orderId === undefined || change.orderId === orderId;

/** A feed that reports "anything may have changed" every `intervalMs`, while anyone listens. */
export function pollingFeed(intervalMs = 1000): ChangeFeed {
  const listeners = new Set<(change: Change) => void>();
  let timer: ReturnType<typeof setInterval> | undefined;
  return {
    subscribe(listener) {
      listeners.add(listener);
      timer ??= setInterval(() => listeners.forEach((l) => l({})), intervalMs);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== undefined) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
  };
}

/**
 * The API's event stream (`GET /v1/events/stream`, one SSE message per committed event;
 * EventSource reconnects by itself and resumes with `Last-Event-ID`), next to `fallback`.
 * The stream names the order that changed within a few hundred ms; the feed's place
 * follows the oldest transaction running on the database server, so a long one
 * elsewhere can hold it back, and the stream can be down: `fallback` (a short poll)
 * keeps the 2 s promise then. Stream changes are coalesced for `flushMs`, so a flash
 * sale's hundred events a second cost each view a few reloads, not a hundred.
 */
export function eventStreamFeed(token: string, fallback: ChangeFeed, flushMs = 250): ChangeFeed {
  const listeners = new Set<(change: Change) => void>();
  let source: EventSource | undefined;
  let unsubscribeFallback: (() => void) | undefined;
  let pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const emit = (change: Change) => listeners.forEach((l) => l(change));
  const flush = () => {
    timer = undefined;
    const orders = [...pending];
    pending = new Set();
    if (orders.length > 20) emit({});
    else orders.forEach((orderId) => emit({ orderId }));
  };
  const open = () => {
    unsubscribeFallback = fallback.subscribe(emit);
    source = new EventSource(`/v1/events/stream?access_token=${encodeURIComponent(token)}`);
    source.onmessage = (message: MessageEvent<string>) => {
      try {
        const { orderId } = JSON.parse(message.data) as { orderId?: string };
        if (orderId) pending.add(orderId);
      } catch {
        return;
      }
      timer ??= setTimeout(flush, flushMs);
    };
  };
  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!source) open();
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0) return;
        source?.close();
        source = undefined;
        unsubscribeFallback?.();
        clearTimeout(timer);
        timer = undefined;
      };
    },
  };
}
