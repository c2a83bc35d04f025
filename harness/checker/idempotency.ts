import type { RequestRecord, Violation } from '../types';
import type { OrderCase } from './case';
import { versionOf } from './operations';

/**
 * Guarantee 6 and the Idempotency-Key rules for transitions: requests that share a
 * principal and a key make at most one event; once one of them has been answered, a
 * later one gets the same status and body, marked `Idempotent-Replayed: true`; the same
 * body never gets `idempotency_key_reused`; `idempotency_key_in_flight` only while
 * another request with the key may still run.
 */
export function checkIdempotency(c: OrderCase): Violation[] {
  return c.operations
    .filter((op) => op.requests[0]?.idempotencyKey !== undefined)
    .flatMap((op) => checkKeyGroup(op.requests, op.orderId, versionOf, 'version'));
}

/** The same rules for `POST /v1/orders`: one key places at most one order. */
export function checkCreateIdempotency(requests: readonly RequestRecord[]): Violation[] {
  const groups = new Map<string, RequestRecord[]>();
  for (const r of requests) {
    if (r.kind !== 'create-order' || r.idempotencyKey === undefined) continue;
    const key = `${r.actor.id}:${r.idempotencyKey}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].flatMap((rs) =>
    checkKeyGroup(
      [...rs].sort((a, b) => a.sentMs - b.sentMs),
      rs.find((r) => r.orderId !== undefined)?.orderId,
      (r) => r.orderId,
      'order',
    ),
  );
}

/**
 * One key's requests, in send order. `resultOf` names what a success made (the version
 * of its event, the id of its order): two different ones are two effects.
 */
function checkKeyGroup(
  rs: RequestRecord[],
  orderId: string | undefined,
  resultOf: (r: RequestRecord) => string | number | undefined,
  what: string,
): Violation[] {
  const out: Violation[] = [];
  const add = (guarantee: 6 | 'contract', kind: string, message: string, ids: RequestRecord[]) =>
    out.push({ guarantee, kind, orderId, message, requestIds: ids.map((r) => r.id) });
  const results = [...new Set(rs.filter((r) => r.outcome === 'ok').map(resultOf))];
  if (results.length > 1) {
    add(
      6,
      'second-effect',
      `one key succeeded with ${what}s ${results.join(', ')}: more than one effect`,
      rs,
    );
  }
  const executed = rs.filter((r) => r.outcome === 'ok' && !r.replayed);
  if (executed.length > 1) {
    add(
      6,
      'executed-twice',
      `${executed.length} requests with one key ran (none was a replay)`,
      executed,
    );
  }
  for (const r of rs) {
    if (r.code === 'idempotency_key_reused') {
      add(6, 'key-reused-same-body', 'the same key with the same body got idempotency_key_reused', [
        r,
      ]);
    }
    if (r.code === 'idempotency_key_in_flight' && !anotherMayRun(rs, r)) {
      add(
        'contract',
        'in-flight-without-first',
        'idempotency_key_in_flight, but no other request with the key was running',
        [r],
      );
    }
    const first = firstAnswerBefore(rs, r);
    if (first && (r.outcome === 'ok' || r.outcome === 'rejected') && !isReplayOf(r, first)) {
      add(
        first.outcome === 'ok' ? 6 : 'contract',
        'not-replayed',
        `a retry sent after the key's first answer (${first.status} ${first.code ?? ''}) got ${r.status} ${r.code ?? ''}${r.replayed ? '' : ' without Idempotent-Replayed'} instead of the same response`,
        [first, r],
      );
    }
  }
  return out;
}

/**
 * Codes that answer a request without being the key's response (nothing to replay).
 * Refusals a retry could change are not kept under the key (docs/api.md, Idempotency):
 * the next request with the key runs afresh instead of replaying them.
 */
const NOT_STORED = new Set(['idempotency_key_in_flight', 'order_busy']);

/** The first definite answer of the key that arrived before `r` was sent. */
function firstAnswerBefore(rs: RequestRecord[], r: RequestRecord): RequestRecord | undefined {
  return rs.find(
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
function anotherMayRun(rs: RequestRecord[], r: RequestRecord): boolean {
  return rs.some(
    (q) =>
      q !== r &&
      q.sentMs <= (r.recvMs ?? Infinity) &&
      (q.outcome === 'unknown' || q.recvMs === undefined || q.recvMs >= r.sentMs),
  );
}
