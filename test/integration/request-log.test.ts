import { Writable } from 'node:stream';
import request from 'supertest';
import { createApp } from '../../src/http/app';
import { LockManager } from '@order-coordinator/lock';
import { createLogger } from '../../src/logger';
import { principal } from '../helpers/api';
import { openContext, type TestContext } from '../helpers/context';

describe('the request log', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await openContext();
  });
  afterAll(async () => ctx.close());

  it('when a request carries a bearer token, then its log line names the request but never the token', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    const logger = createLogger({ LOG_LEVEL: 'info' }, sink);
    const locks = new LockManager(ctx.redis);
    try {
      const app = createApp({ ...ctx, logger, locks });
      const buyer = await principal(ctx.config, 'buyer');
      const token = buyer.auth.Authorization.slice('Bearer '.length);
      const missing = '00000000-0000-4000-8000-000000000000';
      await request(app).get(`/v1/orders/${missing}`).set(buyer.auth).expect(404);
      const line = lines.find((l) => l.includes(`/v1/orders/${missing}`));
      expect(line).toBeDefined();
      expect(line).not.toContain(token);
      expect(line).not.toContain('authorization');
      expect(JSON.parse(line as string)).toMatchObject({
        level: 30,
        req: { method: 'GET', url: `/v1/orders/${missing}` },
        res: { statusCode: 404 },
      });
    } finally {
      await locks.close();
    }
  });
});
