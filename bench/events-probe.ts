import http from 'node:http';
import type { RedisClient } from '@order-coordinator/lock';
import { freePort } from '../support/net';

/** One event as the bench saw it arrive: its decision time and when it arrived (epoch ms). */
export interface Arrival {
  id: string;
  type: string;
  /** The event's `at`: when its transition decided, a few ms before its commit. */
  atMs: number;
  arrivedMs: number;
}

interface EventJson {
  id: string;
  type: string;
  at: string;
}

const arrival = (event: EventJson, arrivedMs: number): Arrival => ({
  id: event.id,
  type: event.type,
  atMs: Date.parse(event.at),
  arrivedMs,
});

/**
 * Follows the relay's stream with XREAD BLOCK on a connection of its own (a blocked
 * connection serves nobody else) and notes when each entry arrived here: relay lag as a
 * consumer sees it, from the event's `at` to the entry readable on the stream.
 */
export class StreamProbe {
  readonly seen: Arrival[] = [];
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(
    private readonly redis: RedisClient,
    private readonly stream: string,
  ) {
    this.done = this.follow();
  }

  private async follow(): Promise<void> {
    let last = '0-0';
    while (!this.stopped) {
      const reply = await this.redis.xread(
        'COUNT',
        1000,
        'BLOCK',
        200,
        'STREAMS',
        this.stream,
        last,
      );
      const now = Date.now();
      for (const [, entries] of reply ?? []) {
        for (const [id, fields] of entries) {
          last = id;
          const json = fields[fields.indexOf('event') + 1];
          if (json !== undefined) this.seen.push(arrival(JSON.parse(json) as EventJson, now));
        }
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}

/**
 * A webhook endpoint in the bench process: answers every POST with 204 and notes each
 * delivery (`webhook-id`, the event's `at`, arrival). Private addresses are allowed
 * because the instances do not run with NODE_ENV=production.
 */
export class WebhookReceiver {
  readonly deliveries: Arrival[] = [];
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const now = Date.now();
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event: EventJson };
        this.deliveries.push(
          arrival({ ...body.event, id: String(req.headers['webhook-id']) }, now),
        );
      } catch {
        // counted nowhere: a body that is not a webhook
      }
      res.writeHead(204).end();
    });
  });

  constructor(readonly port: number) {}

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(await freePort());
    await new Promise<void>((resolve) =>
      receiver.server.listen(receiver.port, '127.0.0.1', resolve),
    );
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
