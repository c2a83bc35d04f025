import type { Db } from '../db/knex';
import { claimDeliveries, recordAttempt, type DueDelivery } from '../db/webhooks.repo';
import { noEventMetrics, type DeliveryOutcome, type EventMetrics } from '../events/metrics';
import { sleep } from '../events/sleep';
import type { Logger } from '../logger';
import { signMessage } from './signing';
import { webhookUrlProblem } from './url-check';

export interface SenderOptions {
  db: Db;
  logger: Logger;
  metrics?: EventMetrics;
  /** An endpoint that has not answered within this is retried (ms). */
  timeoutMs: number;
  /** First retry delay; each next one doubles, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** A delivery first tried longer ago than this is given up (ms). */
  giveUpAfterMs: number;
  refusePrivate: boolean;
  /** How often an idle sender looks for due deliveries (ms). */
  pollMs?: number;
  /** Deliveries in flight at once. */
  concurrency?: number;
}

/** The delay before attempt `attempts + 1`: base x 2^(attempts - 1), at most max. */
export function retryDelayMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
}

interface Answer {
  outcome: DeliveryOutcome;
  httpStatus: number | null;
  error: string | null;
}

async function post(o: SenderOptions, d: DueDelivery): Promise<Answer> {
  const problem = await webhookUrlProblem(d.url, o.refusePrivate);
  if (problem) return { outcome: 'error', httpStatus: null, error: `URL ${problem}` };
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const res = await fetch(d.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': d.event_id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signMessage(d.secret, d.event_id, timestamp, d.body),
      },
      body: d.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(o.timeoutMs),
    });
    await res.body?.cancel();
    const ok = res.status >= 200 && res.status < 300;
    return { outcome: ok ? 'acknowledged' : 'failed', httpStatus: res.status, error: null };
  } catch (error) {
    const timeout = error instanceof Error && error.name === 'TimeoutError';
    const message = error instanceof Error ? error.message : String(error);
    return { outcome: timeout ? 'timeout' : 'error', httpStatus: null, error: message };
  }
}

async function deliver(o: SenderOptions, d: DueDelivery): Promise<void> {
  const answer = await post(o, d);
  const metrics = o.metrics ?? noEventMetrics;
  const acknowledged = answer.outcome === 'acknowledged';
  const expired = Date.now() - d.first_attempt_at.getTime() > o.giveUpAfterMs;
  const status = acknowledged ? 'delivered' : expired ? 'given_up' : 'pending';
  metrics.delivered(status === 'given_up' ? 'given_up' : answer.outcome);
  await recordAttempt(o.db, d, {
    status,
    httpStatus: answer.httpStatus,
    error: answer.error,
    retryInMs: acknowledged ? 0 : retryDelayMs(d.attempts, o.retryBaseMs, o.retryMaxMs),
  });
}

/**
 * Sends due webhook deliveries on every instance: each is claimed with a lease (the
 * timeout plus 5 s) so two senders never send it at once, and only the oldest pending
 * event of an endpoint and order is due. 2xx acknowledges; anything else, an error or
 * no answer within `timeoutMs` is retried after a doubling delay until the first attempt
 * is `giveUpAfterMs` old.
 */
export function startWebhookSender(o: SenderOptions): { stop: () => Promise<void> } {
  const stopping = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const concurrency = o.concurrency ?? 16;
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      let claimed: DueDelivery[] = [];
      try {
        const free = concurrency - inFlight.size;
        if (free > 0) claimed = await claimDeliveries(o.db, free, o.timeoutMs + 5000);
      } catch (error) {
        o.logger.warn({ err: error }, 'webhook deliveries not claimed; retrying');
      }
      for (const d of claimed) {
        const sending = deliver(o, d)
          .catch((error: unknown) => o.logger.warn({ err: error }, 'webhook attempt not recorded'))
          .finally(() => inFlight.delete(sending));
        inFlight.add(sending);
      }
      if (claimed.length === 0) await sleep(o.pollMs ?? 100, stopping.signal);
    }
  })();
  return {
    stop: async () => {
      stopping.abort();
      await loop;
      await Promise.allSettled([...inFlight]);
    },
  };
}
