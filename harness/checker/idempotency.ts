import type { RequestRecord, Violation } from '../types';
import type { OrderCase } from './case';
import { successVersions } from './events';
import type { Operation } from './operations';

/**
 * Guarantee 6 and the Idempotency-Key rules: requests that share a principal and a key
 * make at most one event; once one of them has been answered, a later one gets the same
 * status and body, marked `Idempotent-Replayed: true`; the same body never gets
 * `idempotency_key_reused`; `idempotency_key_in_flight` only while another request with
 * the key may still run.
 */
export function checkIdempotency(c: OrderCase): Violation[] {
  const out: Violation[] = [];
  for (const op of c.operations) {
    if (op.requests[0]?.idempotencyKey === undefined) continue;
    const add = (guarantee: 6 | 'contract', kind: string, message: string, rs: RequestRecord[]) =>
      out.push({ guarantee, kind, orderId: op.orderId, message, requestIds: rs.map((r) => r.id) });
    const versions = successVersions(op);
    if (versions.length > 1) {
      add(
        6,
        'second-event',
        `one key succeeded at versions ${versions.join(', ')}: more than one event`,
        op.requests,
      );
    }
    const executed = op.requests.filter((r) => r.outcome === 'ok' && !r.replayed);
    if (executed.length > 1) {
      add(
        6,
        'executed-twice',
        `${executed.length} requests with one key ran (none was a replay)`,
        executed,
      );
    }
    for (const r of op.requests) {
      if (r.code === 'idempotency_key_reused') {
        add(
          6,
          'key-reused-same-body',
          'the same key with the same body got idempotency_key_reused',
          [r],
        );
      }
      if (r.code === 'idempotency_key_in_flight' && !anotherMayRun(op, r)) {
        add(
          'contract',
          'in-flight-without-first',
          'idempotency_key_in_flight, but no other request with the key was running',
          [r],
        );
      }
      const first = firstAnswerBefore(op, r);
      if (first && (r.outcome === 'ok' || r.outcome === 'rejected') && !isReplayOf(r, first)) {
        add(
          first.outcome === 'ok' ? 6 : 'contract',
          'not-replayed',
          `a retry sent after the key's first answer (${first.status} ${first.code ?? ''}) got ${r.status} ${r.code ?? ''}${r.replayed ? '' : ' without Idempotent-Replayed'} instead of the same response`,
          [first, r],
        );
      }
    }
  }
  return out;
}

/** Codes that answer a request without being the key's response (nothing to replay). */
const NOT_STORED = new Set(['idempotency_key_in_flight']);

/** The first definite answer of the key that arrived before `r` was sent. */
function firstAnswerBefore(op: Operation, r: RequestRecord): RequestRecord | undefined {
  return op.requests.find(
    (q) =>
      q !== r &&
      q.recvMs !== undefined &&
      q.recvMs < r.sentMs &&
      (q.outcome === 'ok' || (q.outcome === 'rejected' && !NOT_STORED.has(q.code ?? ''))),
  );
}

function isReplayOf(r: RequestRecord, first: RequestRecord): boolean {
  return r.replayed && r.status === first.status && r.bodyHash === first.bodyHash;
}

/** Another request with the key overlapped `r`, or has an unknown outcome (it may still run). */
function anotherMayRun(op: Operation, r: RequestRecord): boolean {
  return op.requests.some(
    (q) =>
      q !== r &&
      q.sentMs <= (r.recvMs ?? Infinity) &&
      (q.outcome === 'unknown' || q.recvMs === undefined || q.recvMs >= r.sentMs),
  );
}
