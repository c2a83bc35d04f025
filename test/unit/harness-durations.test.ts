import { checkRequestDurations } from '../../harness/checker/durations';
import type { RequestRecord } from '../../harness/types';

let nextId = 1;
/** A recorded transition on `port`, sent at `sentMs` and answered `tookMs` later. */
function request(port: number, sentMs: number, tookMs: number, pauseMs?: number): RequestRecord {
  return {
    id: nextId++,
    kind: 'pay',
    orderId: `order-${nextId}`,
    actor: { role: 'buyer', id: 'b' },
    port,
    sentMs,
    sentWall: 0,
    recvMs: sentMs + tookMs,
    outcome: 'ok',
    status: 200,
    replayed: false,
    ...(pauseMs !== undefined ? { pauseMs } : {}),
  };
}

const limits = { lockWaitMs: 2000, latencyMarginMs: 1500 };

describe('the request-duration check', () => {
  it('when a request outlives LOCK_WAIT_MS plus the margin, then it is a violation with its id', () => {
    const fast = request(1, 0, 3500);
    const slow = request(1, 0, 3501);
    const violations = checkRequestDurations([fast, slow], limits);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({
      guarantee: 'contract',
      kind: 'request-outlived-lock-wait',
      requestIds: [slow.id],
      orderId: slow.orderId,
    });
    expect(violations[0]?.message).toContain('took 3501 ms');
  });

  it('when a test pause blocks an instance, then requests on it that overlap the pause may take it on top', () => {
    const paused = request(1, 1000, 4000, 2500);
    const sameInstance = request(1, 500, 5500);
    const otherInstance = request(2, 500, 3500 + 3001); // beyond the pool deadline too
    const afterThePause = request(1, 5001, 3600);
    const violations = checkRequestDurations(
      [paused, sameInstance, otherInstance, afterThePause],
      limits,
    );
    expect(violations.flatMap((v) => v.requestIds)).toEqual([otherInstance.id, afterThePause.id]);
  });

  it('when another instance is paused, then a request may take the pool deadline on top, once', () => {
    const pausedA = request(1, 1000, 3000, 2500);
    const pausedB = request(3, 1000, 3000, 2500);
    const withinPoolDeadline = request(2, 500, 3500 + 3000);
    const beyondIt = request(2, 500, 3500 + 3001);
    const noPauseNear = request(2, 10_000, 3501);
    const violations = checkRequestDurations(
      [pausedA, pausedB, withinPoolDeadline, beyondIt, noPauseNear],
      limits,
    );
    expect(violations.flatMap((v) => v.requestIds)).toEqual([beyondIt.id, noPauseNear.id]);
  });

  it('when a request got no answer recorded, then it is not judged', () => {
    const unanswered = { ...request(1, 0, 0), recvMs: undefined };
    expect(checkRequestDurations([unanswered], { ...limits, latencyMarginMs: 0 })).toEqual([]);
  });
});
