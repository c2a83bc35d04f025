import { EVENT_OF, FINAL_STATUSES, type EventRecord, type Violation } from '../types';
import { canonicalJson } from '../../support/json';
import type { OrderCase } from './case';
import { dataMatches, eventClass, operationClass, versionOf, type Operation } from './operations';

/**
 * Guarantee 1, the event log: versions 1..n with no gap or repeat, `CREATED` first, the
 * order's `version` is n, and the events API shows what the table holds.
 */
export function checkEventLog(c: OrderCase): Violation[] {
  const out: Violation[] = [];
  const v = (kind: string, message: string): void => {
    out.push({ guarantee: 1, kind, orderId: c.order.id, message });
  };
  const { events, order } = c;
  if (c.apiEvents === undefined) v('events-unreadable', 'the events API did not answer for it');
  events.forEach((e, i) => {
    if (e.seq !== i + 1 || e.version !== i + 1) {
      v(
        'version-gap',
        `event #${i + 1} has seq ${e.seq} and version ${e.version} (expected ${i + 1}): a gap or a repeat`,
      );
    }
  });
  const first = events[0];
  if (first === undefined) v('no-events', 'the order has no events, not even CREATED');
  else if (first.type !== 'CREATED' || first.fromStatus !== null) {
    v('created-not-first', `the first event is ${first.type} from ${first.fromStatus}`);
  }
  if (order.version !== events.length) {
    v(
      'order-version-mismatch',
      `the order's version is ${order.version} but it has ${events.length} events`,
    );
  }
  if (c.apiEvents !== undefined && !sameEvents(c.apiEvents, c.dbEvents)) {
    v('events-api-mismatch', 'the events API shows other events than the order_events table');
  }
  return out;
}

function sameEvents(a: EventRecord[], b: EventRecord[]): boolean {
  const strip = (e: EventRecord) => [
    e.seq,
    e.type,
    e.fromStatus,
    e.toStatus,
    e.version,
    e.actor,
    e.data,
  ];
  return canonicalJson(a.map(strip)) === canonicalJson(b.map(strip));
}

/**
 * Guarantee 1, requests to events: each successful operation is exactly one event of its
 * type, actor and data at the version its response showed, no two successes share an
 * event, and every other event (but `CREATED` and the sweeper's `EXPIRE`) belongs to an
 * operation whose outcome is unknown. An event that only a 4xx request could explain
 * is a change the client was told did not happen.
 */
export function checkEventsMatchRequests(c: OrderCase): Violation[] {
  const out: Violation[] = [];
  const byVersion = new Map(c.events.map((e) => [e.version, e]));
  const claimedBy = new Map<number, Operation>();
  for (const op of c.operations.filter((o) => o.outcome === 'ok')) {
    for (const r of op.requests.filter((q) => q.outcome === 'ok')) {
      if (r.order && r.etagVersion !== undefined && r.order.version !== r.etagVersion) {
        out.push(
          violation(
            c,
            'etag-mismatch',
            `the ETag says ${r.etagVersion}, the body ${r.order.version}`,
            [r.id],
          ),
        );
      }
    }
    for (const version of successVersions(op)) {
      const e = byVersion.get(version);
      const ids = op.requests.map((r) => r.id);
      if (e === undefined) {
        out.push(
          violation(
            c,
            'success-without-event',
            `${op.action} succeeded at version ${version}, but there is no event ${version}`,
            ids,
          ),
        );
        continue;
      }
      const status = op.requests.find((r) => r.outcome === 'ok' && versionOf(r) === version)?.order
        ?.status;
      if (
        e.type !== EVENT_OF[op.action] ||
        !dataMatches(op, e) ||
        (status !== undefined && status !== e.toStatus)
      ) {
        out.push(
          violation(
            c,
            'success-event-mismatch',
            `${op.action} ${canonicalJson(op.body)} by ${op.actor.id} succeeded as version ${version} (${status}), but event ${version} is ${describe(e)}`,
            ids,
          ),
        );
      }
      const other = claimedBy.get(version);
      if (other && other !== op) {
        out.push(
          violation(
            c,
            'two-successes-one-event',
            `${other.action} and ${op.action} both succeeded with version ${version}: one of them has no event of its own`,
            [...other.requests.map((r) => r.id), ...ids],
          ),
        );
      }
      claimedBy.set(version, op);
    }
  }
  out.push(...unclaimedEvents(c, claimedBy));
  return out;
}

/** The distinct versions that an operation's 2xx responses showed. */
export function successVersions(op: Operation): number[] {
  const versions = op.requests.filter((r) => r.outcome === 'ok').map(versionOf);
  return [...new Set(versions.filter((x): x is number => x !== undefined))];
}

function unclaimedEvents(c: OrderCase, claimedBy: Map<number, Operation>): Violation[] {
  const maybe = new Map<string, number>();
  const failed = new Map<string, Operation[]>();
  for (const op of c.operations) {
    const k = operationClass(op);
    if (op.outcome === 'maybe') maybe.set(k, (maybe.get(k) ?? 0) + 1);
    if (op.outcome === 'failed') failed.set(k, [...(failed.get(k) ?? []), op]);
  }
  const out: Violation[] = [];
  for (const e of c.events) {
    if (claimedBy.has(e.version) || e.type === 'CREATED') continue;
    if (e.type === 'EXPIRE' && e.actor.role === 'system') continue;
    const k = eventClass(e);
    const left = maybe.get(k) ?? 0;
    if (left > 0) {
      maybe.set(k, left - 1);
      continue;
    }
    const refused = failed.get(k) ?? [];
    const misplaced = c.operations.filter(
      (op) => op.outcome === 'ok' && operationClass(op) === k && claimedBy.get(e.version) !== op,
    );
    const ids = [...refused, ...misplaced].flatMap((op) => op.requests.map((r) => r.id));
    const answers = refused.flatMap((op) =>
      op.requests.map((r) => `${r.status ?? r.error} ${r.code ?? ''}`.trim()),
    );
    const shown = misplaced.flatMap((op) => successVersions(op)).join(', ');
    const message =
      refused.length > 0
        ? `event ${describe(e)} matches only requests that were answered ${answers.join(', ')}: a change the client was told did not happen`
        : misplaced.length > 0
          ? `event ${describe(e)} is the effect of a request whose answer showed version ${shown}: its answer named another event`
          : `event ${describe(e)} matches no request the harness sent`;
    out.push(violation(c, 'phantom-event', message, ids));
  }
  return out;
}

/** Guarantee 3: nothing follows `delivered`, `cancelled` or `refunded`. */
export function checkNothingAfterFinal(c: OrderCase): Violation[] {
  const out: Violation[] = [];
  c.events.forEach((e, i) => {
    const before = c.events[i - 1];
    if (before && FINAL_STATUSES.has(before.toStatus)) {
      out.push({
        guarantee: 3,
        kind: 'event-after-final',
        orderId: c.order.id,
        message: `event ${describe(e)} follows the final status ${before.toStatus} (event ${before.version})`,
      });
    }
  });
  return out;
}

export function describe(e: EventRecord): string {
  return `#${e.version} ${e.type} ${e.fromStatus ?? '-'}->${e.toStatus} by ${e.actor.role}:${e.actor.id} ${canonicalJson(e.data)}`;
}

function violation(c: OrderCase, kind: string, message: string, requestIds: number[]): Violation {
  return { guarantee: 1, kind, orderId: c.order.id, message, requestIds };
}
