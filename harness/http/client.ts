import type { Outcome, OrderView, RequestKind, RequestRecord } from '../types';
import { asNumber, asObject, hashOf } from '../util/json';
import type { Recorder } from './recorder';
import type { Identity } from './tokens';

export interface RequestSpec {
  kind: RequestKind;
  method: 'GET' | 'POST';
  path: string;
  actor: Identity;
  port: number;
  body?: Record<string, unknown>;
  orderId?: string;
  couponId?: string;
  idempotencyKey?: string;
  ifMatch?: string;
  pauseMs?: number;
  tag?: string;
  /** Leave it out of the history (the final reads of the checker). */
  unrecorded?: boolean;
  timeoutMs?: number;
}

export interface Answer {
  record: RequestRecord;
  /** The parsed body, undefined without one (or on a network error). */
  json: unknown;
}

/**
 * Sends one request to an API instance on 127.0.0.1 and records it: send and receive
 * times on the monotonic and the wall clock, the status, the problem code, the ETag's
 * version, the replay header and the order the body shows.
 */
export class ApiClient {
  constructor(
    private readonly recorder: Recorder,
    private readonly defaultTimeoutMs: number,
  ) {}

  async send(spec: RequestSpec): Promise<Answer> {
    const headers: Record<string, string> = { Authorization: `Bearer ${spec.actor.token}` };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    if (spec.idempotencyKey !== undefined) headers['Idempotency-Key'] = spec.idempotencyKey;
    if (spec.ifMatch !== undefined) headers['If-Match'] = spec.ifMatch;
    if (spec.pauseMs !== undefined) headers['X-Test-Lock-Pause-Ms'] = String(spec.pauseMs);
    const record: RequestRecord = {
      id: this.recorder.nextId(),
      kind: spec.kind,
      orderId: spec.orderId,
      ...(spec.couponId !== undefined ? { couponId: spec.couponId } : {}),
      actor: { role: spec.actor.role, id: spec.actor.id },
      port: spec.port,
      body: spec.body,
      idempotencyKey: spec.idempotencyKey,
      ifMatch: spec.ifMatch,
      pauseMs: spec.pauseMs,
      tag: spec.tag,
      sentMs: this.recorder.now(),
      sentWall: Date.now(),
      outcome: 'unknown',
      replayed: false,
    };
    let json: unknown;
    try {
      const res = await fetch(`http://127.0.0.1:${spec.port}${spec.path}`, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: AbortSignal.timeout(spec.timeoutMs ?? this.defaultTimeoutMs),
      });
      const text = await res.text();
      record.recvMs = this.recorder.now();
      record.recvWall = Date.now();
      json = parseJson(text);
      describeResponse(record, res, json);
    } catch (error) {
      record.recvMs = this.recorder.now();
      record.recvWall = Date.now();
      record.error = networkError(error);
      record.outcome = record.error === 'ECONNREFUSED' ? 'refused' : 'unknown';
    }
    if (!spec.unrecorded) this.recorder.add(record);
    return { record, json };
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function describeResponse(record: RequestRecord, res: Response, json: unknown): void {
  record.status = res.status;
  record.outcome = outcomeOf(res.status);
  record.replayed = res.headers.get('idempotent-replayed') === 'true';
  const etag = /^"(\d+)"$/.exec(res.headers.get('etag') ?? '');
  if (etag?.[1] !== undefined) record.etagVersion = Number(etag[1]);
  const body = asObject(json);
  if (typeof body?.code === 'string' && res.status >= 400) record.code = body.code;
  record.order = orderViewOf(body);
  record.bodyHash = hashOf([res.status, json]);
  record.response = json;
  // A created order is known by the id its answer carries.
  if (record.kind === 'create-order' && typeof body?.id === 'string') record.orderId = body.id;
}

function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 400 && status < 500) return 'rejected';
  return 'unknown';
}

/** The order fields of a body that is an order. */
export function orderViewOf(body: Record<string, unknown> | undefined): OrderView | undefined {
  const version = asNumber(body?.version);
  const totalCents = asNumber(body?.totalCents);
  if (
    !body ||
    typeof body.status !== 'string' ||
    version === undefined ||
    totalCents === undefined
  ) {
    return undefined;
  }
  return { status: body.status, version, totalCents, paidCents: asNumber(body.paidCents) ?? null };
}

/** A short name for a failed fetch: the socket error's code, `timeout`, or the message. */
function networkError(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return 'timeout';
  }
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return error instanceof Error ? error.message : String(error);
}
