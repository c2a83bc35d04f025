import { POOL_ACQUIRE_TIMEOUT_MS } from '../../src/db/knex';
import type { RequestRecord, Violation } from '../types';

export interface DurationLimits {
  /** The instances' LOCK_WAIT_MS. */
  lockWaitMs: number;
  /** What a request may take on top (a round trip, a slow query, a busy machine). */
  latencyMarginMs: number;
}

/**
 * Every request ends within the instances' lock wait plus a margin: a busy order is a
 * 409 after LOCK_WAIT_MS, a down dependency a quick 503, so a request that takes longer
 * waited on something unbounded (a stalled Redis call, a lost wake-up). A test pause
 * (`X-Test-Lock-Pause-Ms`) blocks its whole instance, so every request on that instance
 * whose time overlaps a paused request's may take that pause on top. The frozen instance
 * also freezes its open transactions: their row locks can tie up the PostgreSQL pool of
 * another instance, whose acquire deadline (POOL_ACQUIRE_TIMEOUT_MS, then 503) bounds that
 * wait, so a request overlapping a pause elsewhere may take that deadline on top, once.
 * Requests that got no answer are not judged. One violation per slow request.
 */
export function checkRequestDurations(
  requests: readonly RequestRecord[],
  limits: DurationLimits,
): Violation[] {
  const paused = requests.filter((r) => (r.pauseMs ?? 0) > 0);
  const violations: Violation[] = [];
  for (const r of requests) {
    if (r.recvMs === undefined) continue;
    const tookMs = Math.round(r.recvMs - r.sentMs);
    const limitMs =
      limits.lockWaitMs +
      pausesDuring(r, paused) +
      (pausedElsewhere(r, paused) ? POOL_ACQUIRE_TIMEOUT_MS : 0) +
      limits.latencyMarginMs;
    if (tookMs <= limitMs) continue;
    const answer = r.status !== undefined ? `${r.status} ${r.code ?? ''}`.trim() : r.error;
    violations.push({
      guarantee: 'contract',
      kind: 'request-outlived-lock-wait',
      message: `request ${r.id} (${r.kind} on :${r.port}) took ${tookMs} ms, more than LOCK_WAIT_MS + margin = ${limitMs} ms; answer: ${answer ?? 'none'}`,
      ...(r.orderId !== undefined ? { orderId: r.orderId } : {}),
      requestIds: [r.id],
    });
  }
  return violations;
}

/** `p`'s time overlaps `r`'s. */
function overlaps(p: RequestRecord, r: RequestRecord): boolean {
  return p.sentMs < (r.recvMs ?? Infinity) && (p.recvMs ?? Infinity) > r.sentMs;
}

/** The pauses of the requests on `r`'s instance whose time overlaps `r`'s, in ms. */
function pausesDuring(r: RequestRecord, paused: readonly RequestRecord[]): number {
  let ms = 0;
  for (const p of paused) if (p.port === r.port && overlaps(p, r)) ms += p.pauseMs ?? 0;
  return ms;
}

/** Another instance was frozen by a pause during `r`. */
function pausedElsewhere(r: RequestRecord, paused: readonly RequestRecord[]): boolean {
  return paused.some((p) => p.port !== r.port && overlaps(p, r));
}
