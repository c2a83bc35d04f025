import { Counter, Histogram, type Registry } from 'prom-client';
import type { LockMetrics } from './metrics';

/** 1 ms .. 30 s: a hand-off on one host takes about a millisecond, LOCK_WAIT_MS is 5 s. */
const BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Prometheus metrics for the lock manager, registered on `registry`: histograms
 * `lock_wait_seconds{outcome}` and `lock_hold_seconds`, counters
 * `lock_contended_total`, `lock_renewals_total{result}` and `lock_lost_total`.
 * @throws Error from prom-client when metrics of those names are already registered.
 */
export function createLockMetrics(registry: Registry): LockMetrics {
  const registers = [registry];
  const wait = new Histogram({
    name: 'lock_wait_seconds',
    help: 'Time from asking for a lock to getting it or giving up',
    labelNames: ['outcome'],
    buckets: BUCKETS_S,
    registers,
  });
  const hold = new Histogram({
    name: 'lock_hold_seconds',
    help: 'Time a lock was held, from grant to release',
    buckets: BUCKETS_S,
    registers,
  });
  const contention = new Counter({
    name: 'lock_contended_total',
    help: 'Acquisitions that found the key busy and had to wait',
    registers,
  });
  const renewals = new Counter({
    name: 'lock_renewals_total',
    help: 'Watchdog renewals by result',
    labelNames: ['result'],
    registers,
  });
  const lost = new Counter({ name: 'lock_lost_total', help: 'Held locks found lost', registers });
  return {
    waited: (ms, outcome) => wait.observe({ outcome }, ms / 1000),
    held: (ms) => hold.observe(ms / 1000),
    contended: () => contention.inc(),
    renewed: (ok) => renewals.inc({ result: ok ? 'ok' : 'failed' }),
    lost: () => lost.inc(),
  };
}
