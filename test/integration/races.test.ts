import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkHistory, replayByMachine } from '../../harness';
import { ApiClient, type RequestSpec } from '../../harness/http/client';
import { Recorder } from '../../harness/http/recorder';
import { identity, type Identity } from '../../harness/http/tokens';
import { observe } from '../../harness/observe';
import { openApi, type ApiContext } from '../helpers/api';

/**
 * Two app instances (each its own PostgreSQL pool, Redis connection and lock manager)
 * share one Redis and one PostgreSQL. On every order a buyer reads the order and pays
 * the total it just read (a non-atomic read-then-write) while the merchant reprices and
 * sometimes cancels, each request to a random instance. Afterwards the harness's
 * checker verifies guarantees 1 to 7 for every order from the recorded history, the
 * events API and the database.
 */
describe('races on one order across two instances', () => {
  let instances: { api: ApiContext; server: Server; port: number }[];
  beforeAll(async () => {
    instances = await Promise.all(
      [0, 1].map(async () => {
        const api = await openApi();
        const server = api.app.listen(0, '127.0.0.1');
        await once(server, 'listening');
        return { api, server, port: (server.address() as AddressInfo).port };
      }),
    );
  });
  afterAll(async () => {
    for (const { api, server } of instances) {
      server.close();
      await api.close();
    }
  });

  it('when buyers pay what they read while merchants reprice and cancel, then guarantees 1-7 hold for every order', async () => {
    const [first] = instances;
    if (!first) throw new Error('no instance');
    const secret = first.api.config.AUTH_JWT_SECRET;
    const tag = randomUUID().slice(0, 8);
    const merchant = await identity(secret, { role: 'merchant', id: `race-m-${tag}` });
    const admin = await identity(secret, { role: 'admin', id: `race-a-${tag}` });
    const recorder = new Recorder();
    const client = new ApiClient(recorder, 15_000);
    const port = () => instances[Math.floor(Math.random() * instances.length)]!.port;
    const send = (spec: Omit<RequestSpec, 'port'>) => client.send({ ...spec, port: port() });

    const product = await send({
      kind: 'create-product',
      method: 'POST',
      path: '/v1/products',
      actor: merchant,
      body: { sku: `race-${tag}`, name: 'Contended', priceCents: 1000, stock: 1000 },
    });
    const productId = (product.json as { id: string }).id;

    const ORDERS = 24;
    const buyers: Identity[] = await Promise.all(
      Array.from({ length: ORDERS }, (_, i) =>
        identity(secret, { role: 'buyer', id: `race-b-${tag}-${i}` }),
      ),
    );
    const orders = await Promise.all(
      buyers.map(async (buyer) => {
        const created = await send({
          kind: 'create-order',
          method: 'POST',
          path: '/v1/orders',
          actor: buyer,
          body: { items: [{ productId, quantity: 2 }] },
        });
        return { buyer, id: (created.json as { id: string }).id };
      }),
    );

    const transition = (
      actor: Identity,
      orderId: string,
      action: 'pay' | 'reprice' | 'cancel',
      body: Record<string, unknown>,
      extra: Partial<RequestSpec> = {},
    ) =>
      send({
        kind: action,
        method: 'POST',
        path: `/v1/orders/${orderId}/${action}`,
        actor,
        orderId,
        body,
        ...extra,
      });

    await Promise.all(
      orders.flatMap(({ buyer, id }, i) => {
        const buyerLoop = async () => {
          for (let attempt = 0; attempt < 4; attempt++) {
            const read = await send({
              kind: 'get-order',
              method: 'GET',
              path: `/v1/orders/${id}`,
              actor: buyer,
              orderId: id,
            });
            const order = read.json as { status: string; totalCents: number; version: number };
            if (order.status !== 'pending_payment') return;
            const useIfMatch = attempt % 2 === 1;
            const paid = await transition(
              buyer,
              id,
              'pay',
              { amountCents: order.totalCents },
              {
                ...(useIfMatch ? { ifMatch: `"${order.version}"` } : {}),
                idempotencyKey: `pay-${id}-${attempt}`,
              },
            );
            if (paid.record.status === 200) return;
          }
        };
        const merchantLoop = async () => {
          for (let r = 0; r < 3; r++) {
            await transition(merchant, id, 'reprice', { totalCents: 1000 + 10 * (r + 1) + i });
          }
          if (i % 4 === 0) await transition(merchant, id, 'cancel', { reason: 'race' });
        };
        const buyerCancel = async () => {
          if (i % 6 === 1) await transition(buyer, id, 'cancel', {});
        };
        return [buyerLoop(), merchantLoop(), buyerCancel()];
      }),
    );

    const observation = await observe(first.api.db, client, admin, port, [merchant.id], {
      flash: [],
      probes: [],
    });
    const violations = checkHistory(recorder.records, observation, { replay: replayByMachine });
    expect(violations).toEqual([]);

    // The race was real: payments both succeeded and were refused for a stale total.
    const pays = recorder.records.filter((r) => r.kind === 'pay');
    expect(pays.some((r) => r.status === 200)).toBe(true);
    expect(pays.some((r) => r.code === 'price_changed' || r.code === 'precondition_failed')).toBe(
      true,
    );
    expect(observation.orders).toHaveLength(ORDERS);
    expect(recorder.records.filter((r) => r.outcome === 'unknown')).toEqual([]);
  });
});
