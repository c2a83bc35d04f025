import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { makeOrder, openShop, type Shop } from '../helpers/api';

/** Opens the SSE stream; `events()` are the `id`/`data` pairs received so far. */
function follow(url: string, token: string, lastEventId?: string) {
  const controller = new AbortController();
  const received: { id: string; data: { id: string; orderId: string; seq: number } }[] = [];
  let buffer = '';
  const done = (async () => {
    const res = await fetch(`${url}/v1/events/stream?access_token=${token}`, {
      headers: lastEventId ? { 'Last-Event-ID': lastEventId } : {},
      signal: controller.signal,
    });
    if (res.status !== 200 || !res.body) throw new Error(`stream: ${res.status}`);
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const id = /^id: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (id && data) received.push({ id, data: JSON.parse(data) });
      }
    }
  })().catch(() => undefined);
  return {
    received,
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

const until = async (check: () => boolean, ms = 15_000) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 30));
  return check();
};

describe('GET /v1/events/stream: live events over SSE', () => {
  let shop: Shop;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    shop = await openShop({}, { priceCents: 300, stock: 100 });
    server = shop.api.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    server.close();
    await shop.api.close();
  });

  it('when a client reconnects with Last-Event-ID, then it goes on without a gap or a repeat', async () => {
    const { api, merchant, buyer, product } = shop;
    const token = merchant.auth.Authorization.slice('Bearer '.length);
    const first = follow(url, token);
    await new Promise((r) => setTimeout(r, 300));
    const order = await makeOrder(api, buyer, [{ productId: product.id, quantity: 1 }]);
    const at = (a: string) => `/v1/orders/${order.id}/${a}`;
    await request(api.app).post(at('pay')).set(buyer.auth).send({ amountCents: 300 }).expect(200);
    expect(
      await until(() => first.received.filter((e) => e.data.orderId === order.id).length === 2),
    ).toBe(true);
    await first.close();
    const last = first.received[first.received.length - 1]?.id ?? '';
    // Events committed while the client was away come on reconnection.
    await request(api.app).post(at('ship')).set(merchant.auth).send({}).expect(200);
    const second = follow(url, token, last);
    await request(api.app).post(at('deliver')).set(merchant.auth).expect(200);
    expect(
      await until(() => second.received.filter((e) => e.data.orderId === order.id).length === 2),
    ).toBe(true);
    await second.close();
    const seqs = [...first.received, ...second.received]
      .filter((e) => e.data.orderId === order.id)
      .map((e) => [e.data.seq, e.id === e.data.id]);
    expect(seqs).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, true],
    ]);
  });

  it('when a buyer or a bad Last-Event-ID asks, then it is refused before streaming', async () => {
    const { api, buyer, merchant } = shop;
    await request(api.app).get('/v1/events/stream').set(buyer.auth).expect(403);
    const bad = await request(api.app)
      .get('/v1/events/stream')
      .set(merchant.auth)
      .set('Last-Event-ID', 'x')
      .expect(400);
    expect(bad.body.code).toBe('validation_failed');
    await request(api.app).get('/v1/events/stream?access_token=nope').expect(401);
  });
});
