import Redis from 'ioredis';
import { PrivateRedis } from '../../harness/procs/redis';
import { RedisProxy } from '../../harness/procs/redis-proxy';
import { waitUntil } from '../../support/time';

/** A connection through `url` that reports every message and every close (no reconnect). */
function client(url: string) {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  const messages: string[] = [];
  let closes = 0;
  redis.on('message', (_channel: string, message: string) => messages.push(message));
  redis.on('close', () => closes++);
  return { redis, messages, closes: () => closes };
}

describe('the harness Redis proxy (half-open subscribers)', () => {
  let server: PrivateRedis;
  let proxy: RedisProxy;
  let direct: Redis;
  beforeAll(async () => {
    server = await PrivateRedis.start();
    proxy = await RedisProxy.start(server.port);
    direct = new Redis(server.url);
  });
  afterAll(async () => {
    direct.disconnect();
    await proxy.close();
    await server.stop();
  });

  it('when subscribers are black-holed, then they hear nothing and stay open, other clients go on, and the reset closes them', async () => {
    const subscriber = client(proxy.url);
    const plain = client(proxy.url);
    try {
      await subscriber.redis.subscribe('ch');
      await direct.publish('ch', 'before');
      await waitUntil(() => subscriber.messages.includes('before'), 5000, 'the first message');

      expect(proxy.blackholeSubscribers()).toBe(1);
      await direct.publish('ch', 'lost');
      // Two round trips through the proxy after the publish: time for 'lost' to have
      // arrived, had it passed.
      expect(await plain.redis.set('k', 'v')).toBe('OK');
      expect(await plain.redis.get('k')).toBe('v');
      expect(subscriber.messages).toEqual(['before']);
      expect(subscriber.closes()).toBe(0);

      expect(proxy.resetBlackholed()).toBe(1);
      await waitUntil(() => subscriber.closes() > 0, 5000, 'the subscriber to see the reset');
      expect(plain.closes()).toBe(0);
    } finally {
      subscriber.redis.disconnect();
      plain.redis.disconnect();
    }
  });
});
