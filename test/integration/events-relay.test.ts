import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import type { RedisClient } from '@order-coordinator/lock';
import { PrivateRedis } from '../../harness/procs/redis';
import { feedHead } from '../../src/db/event-feed.repo';
import { loadRelay, savePosition, saveTrimmed } from '../../src/db/event-relays.repo';
import { noEventMetrics } from '../../src/events/metrics';
import { startRelay, type RelayDeps } from '../../src/events/relay';
import { LockManager } from '@order-coordinator/lock';
import { pollUntil } from '../../support/time';
import { openContext, type TestContext } from '../helpers/context';
import { appendEvent, feedPlaces, streamEntries } from '../helpers/events';

const root = path.resolve(__dirname, '../..');

describe('the event relay: PostgreSQL outbox to a Redis stream, once', () => {
  let ctx: TestContext;
  let orderIds: string[];
  beforeAll(async () => {
    ctx = await openContext();
    // Orders of this file (the events it writes are appended to them); no items.
    const merchant = `relay-${randomUUID().slice(0, 8)}`;
    orderIds = await Promise.all(
      Array.from({ length: 4 }, async () => {
        const id = randomUUID();
        await ctx.db('orders').insert({
          id,
          buyer_id: 'relay-buyer',
          merchant_id: merchant,
          status: 'pending_payment',
          total_cents: 100,
          currency: 'USD',
          version: 1,
          holds_stock: false,
          payment_due_at: new Date(Date.now() + 3_600_000),
          machine_state: JSON.stringify({}),
          machine_version: 'test',
        });
        return id;
      }),
    );
  });
  afterAll(async () => ctx.close());

  /** A fresh stream whose relay record starts at the feed's current end. */
  async function freshStream(): Promise<{ stream: string; head: string }> {
    const stream = `events:{relay-test-${randomUUID()}}`;
    const head = (await feedHead(ctx.db)) ?? '0-0';
    await savePosition(ctx.db, stream, head);
    await saveTrimmed(ctx.db, stream, head);
    return { stream, head };
  }

  const writeEvents = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const id = orderIds[i % orderIds.length] ?? '';
      await ctx.db.transaction((trx) => appendEvent(trx, id));
    }
  };

  /** Waits until the stream holds the feed up to its end, then checks it is exactly the feed. */
  async function expectStreamIsFeed(
    redis: RedisClient,
    stream: string,
    head: string,
  ): Promise<void> {
    const target = (await feedHead(ctx.db)) ?? head;
    const caught = await pollUntil(
      async () => (await redis.xrange(stream, target, target)).length === 1,
      60_000,
      50,
    );
    expect(caught).toBe(true);
    const entries = await streamEntries(redis, stream);
    const ids = entries.map((e) => e.entryId);
    expect(entries.every((e) => e.event.id === e.entryId)).toBe(true);
    expect(ids).toEqual(await feedPlaces(ctx.db, head, ids[ids.length - 1] ?? head));
  }

  function relayDeps(stream: string, redis = ctx.redis): RelayDeps {
    return {
      db: ctx.db,
      redis,
      locks: new LockManager(redis),
      logger: ctx.logger,
      stream,
      pollMs: 10,
      lockTtlMs: 1000,
      timeoutMs: 1000,
      // Small enough that a test's events span several batches; large enough to catch up
      // quickly with what other test files commit meanwhile on a shared server.
      batch: 50,
      metrics: noEventMetrics,
    };
  }

  it('when the relay dies after publishing and before recording its place, then the next run publishes nothing twice', async () => {
    const { stream, head } = await freshStream();
    let duplicates = 0;
    let crashes = 0;
    const deps = relayDeps(stream);
    const relay = startRelay(
      {
        ...deps,
        metrics: { ...noEventMetrics, published: (_lag, dup) => void (duplicates += dup ? 1 : 0) },
        afterPublish: () => {
          if (crashes++ > 0) return Promise.resolve();
          return Promise.reject(new Error('killed between publish and record'));
        },
      },
      20,
    );
    try {
      await writeEvents(12);
      await expectStreamIsFeed(ctx.redis, stream, head);
      expect(crashes).toBeGreaterThan(1);
      expect(duplicates).toBeGreaterThan(0); // the re-sent batch was refused by its ids
    } finally {
      await relay.stop();
      await deps.locks.close();
      await ctx.redis.del(stream);
    }
  });

  it('when relay processes are SIGKILLed again and again mid-publish, then the stream is the feed: no gap, no repeat', async () => {
    const { stream, head } = await freshStream();
    const spawnRelay = (): ChildProcess =>
      spawn(process.execPath, ['--import', 'tsx', 'test/helpers/relay-worker.ts'], {
        cwd: root,
        env: { ...process.env, RELAY_STREAM: stream },
        stdio: 'ignore',
      });
    let child = spawnRelay();
    let aheadOfRecord = 0;
    const writing = writeEvents(120);
    try {
      for (let kill = 0; kill < 6; kill++) {
        await new Promise((resolve) => setTimeout(resolve, 250 + Math.random() * 400));
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
        // Published but not recorded: the window the stream ids protect.
        const [last] = await ctx.redis.xrevrange(stream, '+', '-', 'COUNT', 1);
        if (last && last[0] !== (await loadRelay(ctx.db, stream)).position) aheadOfRecord++;
        child = spawnRelay();
      }
      await writing;
      await expectStreamIsFeed(ctx.redis, stream, head);
      expect(aheadOfRecord).toBeGreaterThanOrEqual(0); // how often a kill hit that window
    } finally {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
      await ctx.redis.del(stream);
    }
  });

  it('when the stream loses its tail or all of it, then the relay refills it from PostgreSQL', async () => {
    const { stream, head } = await freshStream();
    let refills = 0;
    const deps = relayDeps(stream);
    const relay = startRelay(
      { ...deps, metrics: { ...noEventMetrics, refilled: () => void refills++ } },
      20,
    );
    try {
      await writeEvents(6);
      await expectStreamIsFeed(ctx.redis, stream, head);
      const older = await ctx.redis.dumpBuffer(stream);
      await writeEvents(6);
      await expectStreamIsFeed(ctx.redis, stream, head);
      // As after a restart from an older append-only file: the stream is as it was.
      await ctx.redis.restore(stream, 0, older, 'REPLACE');
      await writeEvents(3);
      await expectStreamIsFeed(ctx.redis, stream, head);
      // As after a flush: nothing left; refilled from the recorded trim point.
      await ctx.redis.del(stream);
      await writeEvents(3);
      await expectStreamIsFeed(ctx.redis, stream, head);
      expect(refills).toBeGreaterThanOrEqual(2);
    } finally {
      await relay.stop();
      await deps.locks.close();
      await ctx.redis.del(stream);
    }
  });

  it('when Redis runs with an append-only file and is killed, then the stream is still there after its restart', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'events-aof-'));
    const redis = await PrivateRedis.start([
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
    ]);
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    client.on('error', () => undefined);
    const { stream } = await freshStream();
    // Entries as the relay writes them (explicit ids): the relay's catching up is the other
    // tests' business (it follows the oldest transaction on the whole PostgreSQL server,
    // which a harness running beside this file can hold back for a long time).
    try {
      for (let i = 1; i <= 4; i++) await client.xadd(stream, `1-${i}`, 'event', `{"n":${i}}`);
      const before = await client.xrange(stream, '-', '+');
      expect(before).toHaveLength(4);
      await redis.stop(); // SIGKILL: nothing is saved on the way out
      await redis.start();
      expect(
        await pollUntil(async () => (await client.ping().catch(() => '')) === 'PONG', 10_000, 50),
      ).toBe(true);
      expect(await client.xrange(stream, '-', '+')).toEqual(before);
    } finally {
      client.disconnect();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
