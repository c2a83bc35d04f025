import request from 'supertest';
import { makeOrder, makeProduct, openApi, principal, type ApiContext } from '../helpers/api';

/** A statement as knex reports it: its SQL and the pool connection it ran on. */
interface Seen {
  sql: string;
  connection: string | undefined;
}

describe('the critical section on one pool connection', () => {
  let api: ApiContext;
  const seen: Seen[] = [];
  let acquired = 0;
  beforeAll(async () => {
    api = await openApi();
    // Counts the pool's hand-outs (the same connection may come back from the pool).
    const client = api.db.client as { acquireConnection: () => Promise<unknown> };
    const acquire = client.acquireConnection.bind(client);
    client.acquireConnection = () => {
      acquired += 1;
      return acquire();
    };
    api.db.on('query', (q: { sql: string; __knexUid?: string }) =>
      seen.push({ sql: q.sql, connection: q.__knexUid }),
    );
  });
  afterAll(async () => api.close());

  /** The connections the statements about `orderId` ran on, from its load to its write. */
  async function connectionsOf(send: () => Promise<unknown>): Promise<Seen[]> {
    seen.length = 0;
    acquired = 0;
    await send();
    const load = seen.findIndex((s) => /from orders o where o\.id =/.test(s.sql));
    const write = seen.findIndex((s) => /^with updated as/.test(s.sql.trim()));
    expect(load).toBeGreaterThanOrEqual(0);
    expect(write).toBeGreaterThan(load);
    return seen.slice(load, write + 1);
  }

  it('when a transition runs, then its read and its write use the same connection (with and without an Idempotency-Key)', async () => {
    const merchant = await principal(api.config, 'merchant');
    const buyer = await principal(api.config, 'buyer');
    const product = await makeProduct(api, merchant, { priceCents: 1000 });
    const order = await makeOrder(api, buyer, [{ productId: product.id, quantity: 1 }]);
    const plain = await connectionsOf(() =>
      request(api.app)
        .post(`/v1/orders/${order.id}/reprice`)
        .set(merchant.auth)
        .send({ totalCents: 900 })
        .expect(200),
    );
    expect(new Set(plain.map((s) => s.connection)).size).toBe(1);
    expect(plain[0]?.connection).toBeDefined();
    // The route reads nothing else: the one hand-out is the critical section's.
    expect(acquired).toBe(1);
    const keyed = await connectionsOf(() =>
      request(api.app)
        .post(`/v1/orders/${order.id}/reprice`)
        .set(merchant.auth)
        .set('Idempotency-Key', `one-connection-${order.id}`)
        .send({ totalCents: 800 })
        .expect(200),
    );
    // BEGIN, the write, the stored answer and COMMIT follow the read on its connection.
    expect(keyed.some((s) => /^begin/i.test(s.sql))).toBe(true);
    expect(new Set(keyed.map((s) => s.connection)).size).toBe(1);
  });
});
