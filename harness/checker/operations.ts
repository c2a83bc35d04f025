import {
  EVENT_OF,
  isAction,
  type Action,
  type EventRecord,
  type Principal,
  type RequestRecord,
} from '../types';

/**
 * One logical transition: a request without an `Idempotency-Key`, or every request of
 * one principal with one key (they must make at most one event between them).
 */
export interface Operation {
  key: string;
  orderId: string;
  action: Action;
  actor: Principal;
  body: Record<string, unknown>;
  requests: RequestRecord[];
  /**
   * `ok`: some request got a 2xx, so the operation made exactly one event; `maybe`: none
   * did but one has an unknown outcome, so it made zero or one; `failed`: every request
   * was refused or answered 4xx, so it made none.
   */
  outcome: 'ok' | 'maybe' | 'failed';
}

/** Groups the transition requests of a history into operations, in first-sent order. */
export function operationsOf(requests: readonly RequestRecord[]): Operation[] {
  const byKey = new Map<string, Operation>();
  for (const r of [...requests].sort((a, b) => a.sentMs - b.sentMs)) {
    if (!isAction(r.kind) || r.orderId === undefined) continue;
    const key =
      r.idempotencyKey === undefined
        ? `request:${r.id}`
        : `${r.actor.role}:${r.actor.id}:${r.idempotencyKey}`;
    let op = byKey.get(key);
    if (!op) {
      op = {
        key,
        orderId: r.orderId,
        action: r.kind,
        actor: r.actor,
        body: r.body ?? {},
        requests: [],
        outcome: 'failed',
      };
      byKey.set(key, op);
    }
    op.requests.push(r);
  }
  for (const op of byKey.values()) {
    const outcomes = new Set(op.requests.map((r) => r.outcome));
    op.outcome = outcomes.has('ok') ? 'ok' : outcomes.has('unknown') ? 'maybe' : 'failed';
  }
  return [...byKey.values()];
}

/** The version a successful response showed: the body's, else the ETag's. */
export function versionOf(r: RequestRecord): number | undefined {
  return r.order?.version ?? r.etagVersion;
}

/**
 * What an operation would have written into its event's `data`, as a comparable key:
 * events and operations with the same key are interchangeable for matching.
 */
export function operationClass(op: Operation): string {
  return classKey(EVENT_OF[op.action], op.actor.id, op.action, op.body);
}

export function eventClass(e: EventRecord): string {
  const action = (Object.keys(EVENT_OF) as Action[]).find((a) => EVENT_OF[a] === e.type);
  return classKey(e.type, e.actor.id, action, e.data);
}

function classKey(
  type: string,
  actorId: string,
  action: Action | undefined,
  data: Record<string, unknown>,
): string {
  const field = action === 'pay' ? 'amountCents' : action === 'reprice' ? 'totalCents' : undefined;
  const value = field === undefined ? '' : JSON.stringify(data[field] ?? null);
  return `${type}|${actorId}|${value}`;
}

/** Whether the event's data carries what the request's body asked for. */
export function dataMatches(op: Operation, e: EventRecord): boolean {
  return operationClass(op) === eventClass(e);
}
