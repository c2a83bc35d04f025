// The lock through a real failover of the local Redis Cluster (scripts/services.sh
// cluster-up): the primary that holds a contended lock's slot is frozen (SIGSTOP) past
// the cluster's node timeout, its replica takes over, and the old primary, let go again,
// comes back as a replica. Runs only in the cluster project (REDIS_CLUSTER_NODES set),
// alone: the failover would disturb any other test on the cluster.
import { performance } from 'node:perf_hooks';
import Redis, { type Cluster } from 'ioredis';
import {
  LockManager,
  LockUnavailableError,
  lockKeys,
  type LockHandle,
} from '@order-coordinator/lock';
import { readyClient, uniqueLockKey } from '../../packages/lock/test/helpers/fixtures';
import { waitUntil } from '../../support/time';

/** The cluster's node timeout is 2 s; detection, election and the slot map's refresh follow. */
const FAILOVER_MS = 20_000;

const opened: { redis: Cluster; manager: LockManager }[] = [];

async function newManager(): Promise<LockManager> {
  const redis = (await readyClient('')) as Cluster;
  const manager = new LockManager(redis);
  opened.push({ redis, manager });
  return manager;
}

/** `call` on a connection of its own to the node `host:port`; undefined when it is down. */
async function onNode<T>(
  nodeKey: string,
  call: (node: Redis) => Promise<T>,
): Promise<T | undefined> {
  const [host = '', port = ''] = nodeKey.split(':');
  const node = new Redis({ host, port: Number(port), lazyConnect: true, maxRetriesPerRequest: 0 });
  node.on('error', () => undefined);
  try {
    await node.connect();
    return await call(node);
  } catch {
    return undefined;
  } finally {
    node.disconnect();
  }
}

const role = (nodeKey: string) => onNode(nodeKey, async (node) => String((await node.role())[0]));

afterAll(async () => {
  for (const { redis, manager } of opened) {
    await manager.close();
    redis.disconnect();
  }
});

describe('the lock on Redis Cluster through a failover', () => {
  it('when the primary of a contended lock fails over, then the waiter gets the lock or LockUnavailableError in bounds, never while the old holder holds it, and the lock works after', async () => {
    const [a, b, c] = [await newManager(), await newManager(), await newManager()];
    const admin = opened[0]!.redis;
    const key = uniqueLockKey('failover');
    const slot = Number(await admin.cluster('KEYSLOT', key));
    const [primaryKey = '', replicaKey = ''] = admin.slots[slot] ?? [];
    const info = await onNode(primaryKey, (node) => node.info('server'));
    const pid = Number(/process_id:(\d+)/.exec(info ?? '')?.[1]);
    expect(pid).toBeGreaterThan(0);

    const held: LockHandle = await a.acquire(key, { ttlMs: 3000, waitMs: 0 });
    const asked = performance.now();
    const waiting = b.acquire(key, { ttlMs: 3000, waitMs: 15_000 }).then(
      (handle) => ({ handle, at: performance.now(), heldSignal: held.signal.aborted }),
      (error: unknown) => ({ error, at: performance.now() }),
    );
    // Frozen while the waiter sleeps in the queue, subscribed to the slot's node.
    await waitUntil(
      async () => (await admin.llen(lockKeys(key).queue)) === 1,
      5000,
      'the waiter to queue',
    );
    process.kill(pid, 'SIGSTOP');
    try {
      await waitUntil(
        async () => (await role(replicaKey)) === 'master',
        FAILOVER_MS,
        'the replica to take over',
        200,
      );
    } finally {
      process.kill(pid, 'SIGCONT');
    }

    const outcome = await waiting;
    // Bounded: the wait (15 s) plus one command deadline, whatever the failover did.
    expect(outcome.at - asked).toBeLessThan(15_000 + 2000);
    if ('handle' in outcome) {
      // Two holders never at once: the old holder had found its lease lost by then.
      expect(outcome.heldSignal).toBe(true);
      await outcome.handle.release().catch(() => undefined);
    } else {
      expect(outcome.error).toBeInstanceOf(LockUnavailableError);
    }
    await held.release().catch(() => undefined);

    // After the failover the lock works on the new primary, within a lease or two.
    const after = await c.acquire(key, { ttlMs: 1000, waitMs: 10_000 });
    expect(after.signal.aborted).toBe(false);
    await after.release();

    // The old primary comes back as a replica of the new one.
    await waitUntil(
      async () => (await role(primaryKey)) === 'slave',
      FAILOVER_MS,
      'the old primary to rejoin as a replica',
      200,
    );
  });
});
