import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import request from 'supertest';
import { feedHead } from '../../src/db/event-feed.repo';
import { savePosition, saveTrimmed } from '../../src/db/event-relays.repo';
import { startConsumer, type Consumer } from '../../src/events/consumer';
import { startRelay } from '../../src/events/relay';
import type { Job } from '../../src/jobs/job';
import { WEBHOOKS_CONSUMER, scheduleWebhooks } from '../../src/webhooks/schedule';
import { retryDelayMs, startWebhookSender } from '../../src/webhooks/sender';
import { pollUntil } from '../../support/time';
import { makeOrder, openShop, principal, type Shop } from '../helpers/api';

interface Received {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  answered: number;
}

/** A receiver that fails, then hangs, then recovers: answers by the request's number. */
async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const n = received.length + 1;
      const answered = n <= 3 ? 500 : n === 4 ? 0 : 204;
      received.push({
        id: String(req.headers['webhook-id']),
        timestamp: String(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
        body,
        answered,
      });
      if (answered === 0)
        setTimeout(() => res.writeHead(200).end(), 1500); // past the timeout
      else res.writeHead(answered).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/hook`, received };
}

describe('webhooks (Standard Webhooks) to a real HTTP receiver', () => {
  let shop: Shop;
  let stream: string;
  let relay: Job;
  let consumer: Consumer;
  let sender: { stop: () => Promise<void> };
  beforeAll(async () => {
    shop = await openShop({}, { priceCents: 700, stock: 100 });
    const { api } = shop;
    stream = `events:{webhooks-test-${randomUUID()}}`;
    const head = (await feedHead(api.db)) ?? '0-0';
    await savePosition(api.db, stream, head);
    await saveTrimmed(api.db, stream, head);
    const base = { db: api.db, redis: api.redis, logger: api.logger, stream };
    relay = startRelay(
      { ...base, locks: api.locks, pollMs: 10, lockTtlMs: 1000, timeoutMs: 1000 },
      20,
    );
    consumer = startConsumer({
      ...base,
      name: WEBHOOKS_CONSUMER,
      consumerId: randomUUID(),
      claimIdleMs: 1000,
      blockMs: 100,
      handle: scheduleWebhooks,
    });
    sender = startWebhookSender({
      db: api.db,
      logger: api.logger,
      timeoutMs: 500,
      retryBaseMs: 100,
      retryMaxMs: 400,
      giveUpAfterMs: 3_600_000,
      refusePrivate: false,
      pollMs: 20,
    });
  });
  afterAll(async () => {
    await Promise.all([relay.stop(), consumer.stop(), sender.stop()]);
    await shop.api.redis.del(stream);
    await shop.api.close();
  });

  it('when the receiver fails, hangs and recovers, then it gets every event, per order in seq order, one webhook-id per event, valid signatures', async () => {
    const { api, merchant, buyer, product } = shop;
    const receiver = await startReceiver();
    try {
      const created = await request(api.app)
        .post('/v1/webhooks')
        .set(merchant.auth)
        .send({ url: receiver.url })
        .expect(201);
      const secret = created.body.secret as string;
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      const orders = await Promise.all(
        [0, 1].map(() => makeOrder(api, buyer, [{ productId: product.id, quantity: 1 }])),
      );
      for (const o of orders) {
        const at = (a: string) => `/v1/orders/${o.id}/${a}`;
        await request(api.app)
          .post(at('pay'))
          .set(buyer.auth)
          .send({ amountCents: 700 })
          .expect(200);
        await request(api.app).post(at('ship')).set(merchant.auth).send({}).expect(200);
        await request(api.app).post(at('deliver')).set(merchant.auth).expect(200);
      }
      const ours = (r: Received) => orders.some((o) => r.body.includes(o.id));
      const acknowledged = () =>
        new Set(receiver.received.filter((r) => r.answered === 204).map((r) => r.id));
      expect(await pollUntil(() => acknowledged().size === 8, 30_000, 50)).toBe(true);

      const verifier = new Webhook(secret);
      const firstSeen: { orderId: string; seq: number; id: string }[] = [];
      for (const r of receiver.received.filter(ours)) {
        const headers = {
          'webhook-id': r.id,
          'webhook-timestamp': r.timestamp,
          'webhook-signature': r.signature,
        };
        const payload = verifier.verify(r.body, headers) as {
          id: string;
          type: string;
          orderId: string;
          event: { seq: number; id: string };
          order: { id: string };
        };
        expect(payload.id).toBe(r.id);
        expect(payload.event.id).toBe(r.id);
        if (!firstSeen.some((f) => f.id === r.id))
          firstSeen.push({ orderId: payload.orderId, seq: payload.event.seq, id: r.id });
        // A retry is the same message: same id, same body.
        const same = receiver.received.filter((x) => x.id === r.id);
        expect(new Set(same.map((x) => x.body)).size).toBe(1);
      }
      for (const o of orders)
        expect(firstSeen.filter((f) => f.orderId === o.id).map((f) => f.seq)).toEqual([1, 2, 3, 4]);
      expect(receiver.received.filter((r) => r.answered !== 204).length).toBe(4);

      const history = (await api
        .db('webhook_deliveries')
        .where({ endpoint_id: created.body.id })) as {
        status: string;
        attempts: number;
        last_status: number;
      }[];
      expect(history).toHaveLength(8);
      expect(history.every((h) => h.status === 'delivered' && h.last_status === 204)).toBe(true);
      expect(history.reduce((n, h) => n + h.attempts, 0)).toBe(
        receiver.received.filter(ours).length,
      );
    } finally {
      receiver.server.close();
    }
  });

  it('when a merchant manages endpoints, then it sees only its own, and deletes them once', async () => {
    const { api, merchant, buyer } = shop;
    const other = await principal(api.config, 'merchant');
    const made = await request(api.app)
      .post('/v1/webhooks')
      .set(other.auth)
      .send({ url: 'https://example.com/hooks', eventTypes: ['PAY'] })
      .expect(201);
    const list = await request(api.app).get('/v1/webhooks').set(other.auth).expect(200);
    expect(list.body.webhooks).toEqual([
      {
        id: made.body.id,
        url: 'https://example.com/hooks',
        eventTypes: ['PAY'],
        createdAt: made.body.createdAt,
      },
    ]);
    await request(api.app).delete(`/v1/webhooks/${made.body.id}`).set(merchant.auth).expect(404);
    await request(api.app).delete(`/v1/webhooks/${made.body.id}`).set(other.auth).expect(204);
    await request(api.app).delete(`/v1/webhooks/${made.body.id}`).set(other.auth).expect(404);
    await request(api.app)
      .post('/v1/webhooks')
      .set(buyer.auth)
      .send({ url: 'https://example.com' })
      .expect(403);
    const bad = await request(api.app)
      .post('/v1/webhooks')
      .set(other.auth)
      .send({ url: 'ftp://example.com' })
      .expect(422);
    expect(bad.body.code).toBe('invalid_webhook_url');
  });

  it('retries with growing delays', () => {
    expect([1, 2, 3, 4, 20].map((n) => retryDelayMs(n, 5000, 3_600_000))).toEqual([
      5000, 10_000, 20_000, 40_000, 3_600_000,
    ]);
  });
});
