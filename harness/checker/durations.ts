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
 * whose time overlaps a paused request's may take that pause on top. Requests that got
 * no answer count with the time until the client gave up. One violation per slow request.
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
    const limitMs = limits.lockWaitMs + pausesDuring(r, paused) + limits.latencyMarginMs;
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

/** The pauses of the requests on `r`'s instance whose time overlaps `r`'s, in ms. */
function pausesDuring(r: RequestRecord, paused: readonly RequestRecord[]): number {
  const end = r.recvMs ?? Infinity;
  let ms = 0;
  for (const p of paused) {
    if (p.port === r.port && p.sentMs < end && (p.recvMs ?? Infinity) > r.sentMs) {
      ms += p.pauseMs ?? 0;
    }
  }
  return ms;
}
