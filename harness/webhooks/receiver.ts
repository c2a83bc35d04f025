import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { Recorder } from '../http/recorder';
import type { Delivery } from '../types';
import { asNumber, asObject } from '../util/json';
import type { Rng } from '../workload/rng';

/** How the receiver answers while it is told to fail. */
interface Failing {
  /** Monotonic ms of the run when it answers normally again. */
  untilMs: number;
  /** How long a hanging answer waits (past the senders' time-out), then 204. */
  hangMs: number;
  /** Chance that a request hangs rather than getting a 500. */
  hangChance: number;
}

/**
 * The merchants' webhook endpoint: a real HTTP server on 127.0.0.1 in the harness's
 * process, one path per merchant (`/hooks/<merchantId>`). It records every POST (the
 * `webhook-id`, the body as sent, the signature checked by the `standardwebhooks`
 * package with that merchant's secret, the arrival time and the answer) and answers 204,
 * or, while told to fail, 500 or nothing for longer than the senders wait.
 */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  private readonly secrets = new Map<string, Webhook>();
  private failing: Failing | undefined;
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    /** The run's clock (and its recorder of requests). */
    readonly recorder: Recorder,
    private readonly rng: Rng,
  ) {}

  static async start(recorder: Recorder, rng: Rng): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server, recorder, rng);
    server.on(
      'request',
      (req: IncomingMessage, res: ServerResponse) => void receiver.handle(req, res),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return receiver;
  }

  /** The URL a merchant registers. */
  urlFor(merchantId: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks/${merchantId}`;
  }

  /** Verifies the merchant's deliveries with `secret` (`whsec_...`) from now on. */
  register(merchantId: string, secret: string): void {
    this.secrets.set(merchantId, new Webhook(secret));
  }

  /** Answers 500, or hangs for `hangMs` (then 204), to every delivery for `ms`. */
  fail(ms: number, hangMs: number, hangChance: number): void {
    this.failing = { untilMs: this.recorder.now() + ms, hangMs, hangChance };
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close').catch(() => undefined);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const arrivedMs = this.recorder.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const merchantId = /^\/hooks\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '')?.[1] ?? '';
    const delivery = describe(merchantId, body, header(req, 'webhook-id'), arrivedMs);
    delivery.signatureValid = this.verify(merchantId, body, req);
    this.deliveries.push(delivery);
    const failing = this.failing && arrivedMs < this.failing.untilMs ? this.failing : undefined;
    if (failing && this.rng.chance(failing.hangChance)) {
      // The sender times out first; a late 204 then acknowledges nothing.
      this.hanging.add(res);
      await new Promise((resolve) => setTimeout(resolve, failing.hangMs));
      this.hanging.delete(res);
      delivery.answered = 0;
      if (!res.destroyed) res.writeHead(204).end();
      return;
    }
    delivery.answered = failing ? 500 : 204;
    res.writeHead(delivery.answered).end();
  }

  private verify(merchantId: string, body: string, req: IncomingMessage): boolean {
    const verifier = this.secrets.get(merchantId);
    if (!verifier) return false;
    try {
      verifier.verify(body, {
        'webhook-id': header(req, 'webhook-id'),
        'webhook-timestamp': header(req, 'webhook-timestamp'),
        'webhook-signature': header(req, 'webhook-signature'),
      });
      return true;
    } catch {
      return false;
    }
  }
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

/** A delivery as its body names it (the event's order, seq and type, the body's id). */
function describe(
  merchantId: string,
  body: string,
  webhookId: string,
  arrivedMs: number,
): Delivery {
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = asObject(JSON.parse(body));
  } catch {
    parsed = undefined;
  }
  const event = asObject(parsed?.event);
  return {
    merchantId,
    webhookId,
    body,
    orderId: typeof parsed?.orderId === 'string' ? parsed.orderId : undefined,
    seq: asNumber(event?.seq),
    type: typeof parsed?.type === 'string' ? parsed.type : undefined,
    bodyId: typeof parsed?.id === 'string' ? parsed.id : undefined,
    signatureValid: false,
    arrivedMs,
    answered: 0,
  };
}
