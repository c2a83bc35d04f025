import type { Answer, RequestSpec } from '../http/client';
import type { Identity } from '../http/tokens';
import { sleep } from '../../support/time';
import type { Action, RequestRecord } from '../types';
import { asNumber, asObject } from '../util/json';
import type { KnownOrder, Product, World } from './world';

export interface TransitionOptions {
  /** Send `If-Match` with this version. */
  ifMatch?: number;
  /** Send an `Idempotency-Key`; retries after an unknown outcome reuse it. */
  keyed?: boolean;
  /**
   * `dup-after`: send the same request with the same key again once answered;
   * `concurrent-dup`: send it twice at once, to two instances.
   */
  mode?: 'single' | 'dup-after' | 'concurrent-dup';
  pauseMs?: number;
  port?: number;
  tag?: string;
  /** Retries after an unknown outcome, with the same key (keyed requests only). */
  retries?: number;
  timeoutMs?: number;
}

/** Sends one transition the way a careful client would, and learns from the answers. */
export async function transition(
  world: World,
  order: KnownOrder,
  action: Action,
  actor: Identity,
  body: Record<string, unknown>,
  opts: TransitionOptions = {},
): Promise<RequestRecord> {
  const keyed = opts.keyed === true || opts.mode === 'dup-after' || opts.mode === 'concurrent-dup';
  const spec: RequestSpec = {
    kind: action,
    method: 'POST',
    path: `/v1/orders/${order.id}/${action}`,
    actor,
    body,
    orderId: order.id,
    port: opts.port ?? world.port(),
    ...(keyed ? { idempotencyKey: `${action}-${world.rng.token(16)}` } : {}),
    ...(opts.ifMatch !== undefined ? { ifMatch: `"${opts.ifMatch}"` } : {}),
    ...(opts.pauseMs !== undefined ? { pauseMs: opts.pauseMs } : {}),
    ...(opts.tag !== undefined ? { tag: opts.tag } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  };
  const send = async (s: RequestSpec): Promise<Answer> => {
    const answer = await world.client.send(s);
    learnFrom(world, answer);
    return answer;
  };
  if (opts.mode === 'concurrent-dup') {
    const second = { ...spec, port: world.otherPort(spec.port), tag: 'dup-concurrent' };
    const [a, b] = await Promise.all([send(spec), send(second)]);
    return a.record.outcome === 'ok' ? a.record : b.record;
  }
  let answer = await send(spec);
  for (let i = 0; keyed && i < (opts.retries ?? 2) && isUncertain(answer.record); i++) {
    await sleep(world.rng.int(100, 400));
    answer = await send({ ...spec, port: world.port(), tag: 'retry', pauseMs: undefined });
  }
  if (opts.mode === 'dup-after' && !isUncertain(answer.record)) {
    await send({ ...spec, port: world.port(), tag: 'dup', pauseMs: undefined });
  }
  return answer.record;
}

function isUncertain(r: RequestRecord): boolean {
  return r.outcome === 'unknown' || r.outcome === 'refused';
}

function learnFrom(world: World, answer: Answer): void {
  world.learn(answer.record);
  const problem = asObject(answer.json);
  if (answer.record.orderId !== undefined && answer.record.code === 'invalid_transition') {
    world.learnStatus(answer.record.orderId, problem?.currentStatus);
  }
}

/** `GET /v1/orders/:id` as `actor`; learns from it. */
export async function readOrder(
  world: World,
  order: KnownOrder,
  actor: Identity,
  port = world.port(),
): Promise<RequestRecord> {
  const { record } = await world.client.send({
    kind: 'get-order',
    method: 'GET',
    path: `/v1/orders/${order.id}`,
    actor,
    orderId: order.id,
    port,
  });
  world.learn(record);
  return record;
}

/**
 * `POST /v1/orders` for `lines` of one merchant's products; adds a created order to the
 * world. With a key, an unknown outcome is retried with it (so at most one order).
 */
export async function placeOrder(
  world: World,
  buyer: Identity,
  lines: { product: Product; quantity: number }[],
  opts: {
    keyed?: boolean;
    tag?: string;
    reserved?: boolean;
    abandoned?: boolean;
    port?: number;
    /** `X-Test-Lock-Pause-Ms`: the instance blocks between the stock gate and the transaction. */
    pauseMs?: number;
    timeoutMs?: number;
    /** A coupon the buyer claimed (`couponId` in the body). */
    couponId?: string;
  } = {},
): Promise<{ order?: KnownOrder; record: RequestRecord; attempts: RequestRecord[] }> {
  const [first] = lines;
  if (!first) throw new Error('an order needs at least one line');
  const spec: RequestSpec = {
    kind: 'create-order',
    method: 'POST',
    path: '/v1/orders',
    actor: buyer,
    body: {
      items: lines.map((l) => ({ productId: l.product.id, quantity: l.quantity })),
      ...(opts.couponId !== undefined ? { couponId: opts.couponId } : {}),
    },
    port: opts.port ?? world.port(),
    ...(opts.keyed ? { idempotencyKey: `create-${world.rng.token(16)}` } : {}),
    ...(opts.tag !== undefined ? { tag: opts.tag } : {}),
    ...(opts.pauseMs !== undefined ? { pauseMs: opts.pauseMs } : {}),
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
  };
  let answer = await world.client.send(spec);
  const attempts = [answer.record];
  for (let i = 0; opts.keyed && i < 2 && isUncertain(answer.record); i++) {
    await sleep(world.rng.int(100, 400));
    answer = await world.client.send({
      ...spec,
      port: world.port(),
      tag: 'retry',
      pauseMs: undefined,
    });
    attempts.push(answer.record);
  }
  const body = asObject(answer.json);
  const view = answer.record.order;
  if (answer.record.outcome !== 'ok' || !view || typeof body?.id !== 'string') {
    return { record: answer.record, attempts };
  }
  const order = world.add(
    {
      id: body.id,
      buyer,
      merchant: first.product.merchant,
      status: view.status,
      version: view.version,
      totalCents: asNumber(body.totalCents) ?? 0,
      abandoned: opts.abandoned ?? false,
    },
    opts.reserved,
  );
  return { order, record: answer.record, attempts };
}
