import { Counter, Histogram, type Registry } from 'prom-client';

/** Hooks the relay, the consumers and the webhook sender call. */
export interface EventMetrics {
  /** An event reached the stream `lagSeconds` after its transition decided (commit to publish). */
  published(lagSeconds: number, duplicate: boolean): void;
  /** The relay found the stream behind its record and refilled it from PostgreSQL. */
  refilled(): void;
  /** `consumer` applied (or found in its inbox) an event `lagSeconds` after its transition. */
  consumed(consumer: string, lagSeconds: number, duplicate: boolean): void;
  /** One webhook delivery attempt ended with `outcome`. */
  delivered(outcome: DeliveryOutcome): void;
}

/** `acknowledged` (2xx), `failed` (any other answer), `timeout`, `error` (no answer), `given_up`. */
export type DeliveryOutcome = 'acknowledged' | 'failed' | 'timeout' | 'error' | 'given_up';

/** Metrics that record nothing: the default. */
export const noEventMetrics: EventMetrics = {
  published: () => undefined,
  refilled: () => undefined,
  consumed: () => undefined,
  delivered: () => undefined,
};

const LAG_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * On `registry`: `events_relay_lag_seconds` (histogram, an event's transition to its
 * XADD), `events_relay_published_total{outcome="published"|"duplicate"}`,
 * `events_stream_refills_total`, `events_consumer_lag_seconds{consumer}` (transition to
 * the consumer's commit), `events_consumed_total{consumer,outcome="applied"|"duplicate"}`
 * and `webhook_deliveries_total{outcome}`.
 * @throws Error from prom-client when one of these names is already registered.
 */
export function createEventMetrics(registry: Registry): EventMetrics {
  const registers = [registry];
  const relayLag = new Histogram({
    name: 'events_relay_lag_seconds',
    help: "Time from an event's transition to its publication on the stream",
    buckets: LAG_BUCKETS,
    registers,
  });
  const published = new Counter({
    name: 'events_relay_published_total',
    help: 'Events the relay sent to the stream (duplicate: refused, already there)',
    labelNames: ['outcome'],
    registers,
  });
  const refills = new Counter({
    name: 'events_stream_refills_total',
    help: 'Times the relay found the stream behind its record and refilled it from PostgreSQL',
    registers,
  });
  const consumerLag = new Histogram({
    name: 'events_consumer_lag_seconds',
    help: "Time from an event's transition to a consumer's commit of its effect",
    labelNames: ['consumer'],
    buckets: LAG_BUCKETS,
    registers,
  });
  const consumed = new Counter({
    name: 'events_consumed_total',
    help: 'Stream entries a consumer handled (duplicate: already in its inbox)',
    labelNames: ['consumer', 'outcome'],
    registers,
  });
  const deliveries = new Counter({
    name: 'webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome',
    labelNames: ['outcome'],
    registers,
  });
  return {
    published: (lag, duplicate) => {
      if (!duplicate) relayLag.observe(lag);
      published.inc({ outcome: duplicate ? 'duplicate' : 'published' });
    },
    refilled: () => refills.inc(),
    consumed: (consumer, lag, duplicate) => {
      if (!duplicate) consumerLag.observe({ consumer }, lag);
      consumed.inc({ consumer, outcome: duplicate ? 'duplicate' : 'applied' });
    },
    delivered: (outcome) => deliveries.inc({ outcome }),
  };
}
