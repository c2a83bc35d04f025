import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { EventRecord, RequestRecord } from './types';
import { canonicalJson } from '../support/json';

/** One request as a line: when, where, who, what, and the answer. */
export function requestLine(r: RequestRecord): string {
  const when = `+${r.sentMs.toFixed(1)}->${r.recvMs === undefined ? '?' : `+${r.recvMs.toFixed(1)}`}ms`;
  const what = r.kind === 'get-order' ? 'GET' : `POST ${r.kind} ${canonicalJson(r.body ?? {})}`;
  const extras = [
    r.idempotencyKey !== undefined ? `key=${r.idempotencyKey}` : '',
    r.ifMatch !== undefined ? `if-match=${r.ifMatch}` : '',
    r.pauseMs !== undefined ? `pause=${r.pauseMs}ms` : '',
    r.tag !== undefined ? `[${r.tag}]` : '',
  ].filter(Boolean);
  const answer =
    r.status === undefined
      ? `${r.outcome} (${r.error ?? 'no answer'})`
      : `${r.status}${r.code ? ` ${r.code}` : ''}${r.order ? ` v${r.order.version} ${r.order.status} total=${r.order.totalCents}` : r.etagVersion !== undefined ? ` v${r.etagVersion}` : ''}${r.replayed ? ' (replayed)' : ''}${r.outcome === 'unknown' ? ' [unknown outcome]' : ''}`;
  return `req #${r.id} ${when} :${r.port} ${r.actor.role}:${r.actor.id} ${what} ${extras.join(' ')} -> ${answer}`.replace(
    / {2,}/g,
    ' ',
  );
}

export function eventLine(e: EventRecord): string {
  return `event #${e.seq} v${e.version} ${e.type} ${e.fromStatus ?? '-'}->${e.toStatus} by ${e.actor.role}:${e.actor.id} ${canonicalJson(e.data)} at ${e.at}`;
}

/** An order's full history: its requests in send order, then its events. */
export function orderHistory(
  requests: readonly RequestRecord[],
  events: readonly EventRecord[],
): string[] {
  const own = [...requests].sort((a, b) => a.sentMs - b.sentMs);
  return [...own.map(requestLine), ...events.map(eventLine)];
}

/** The history as JSON lines, streamed (a long run records hundreds of thousands). */
export async function writeHistory(file: string, records: readonly unknown[]): Promise<void> {
  const out = createWriteStream(file);
  for (const r of records) {
    if (!out.write(`${JSON.stringify(r)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
