import type Redis from 'ioredis';
import { lockKey } from '@order-coordinator/lock';
import { inFlightKey } from '../../src/catalog/gate/keys';
import { pollUntil, sleep } from '../../support/time';
import {
  CLUSTER_NODE_TIMEOUT_MS,
  clusterNodes,
  onNode,
  type NodeLine,
  type PrivateCluster,
} from '../procs/redis-cluster';
import type { LiveSale } from '../workload/sales';
import type { World } from '../workload/world';

export interface ClusterFaultContext {
  world: World;
  cluster: PrivateCluster;
  /** The run's events stream (its relay's job lock and consumer groups share its slot). */
  eventsStream: string;
}

/** How long a replica may take to be promoted once its primary is frozen. */
const PROMOTION_MS = 20_000;
/** How long the old primary, let go, may take to be a synced replica again. */
const REJOIN_MS = 20_000;
/** Keys per MIGRATE, as `redis-cli --cluster reshard --cluster-pipeline` defaults to (10) ×10. */
const MIGRATE_BATCH = 100;
const MIGRATE_TIMEOUT_MS = 5000;

/** A key the workload is using now, and what it is. */
interface LiveKey {
  key: string;
  what: string;
}

/**
 * A key of the run whose slot is busy, by `n % 3`: a merchant's stock gates (every order,
 * flash sale and coupon of that merchant goes through `gate:{m:<id>}:...`), the lock of
 * an order (`lock:{order:<id>}`, taken by every transition: one held now, looked for
 * for up to 1 s, else an open order's), or the events stream (with the consumer groups).
 */
async function liveKey(ctx: ClusterFaultContext, n: number): Promise<LiveKey> {
  const { world } = ctx;
  const variant = n % 3;
  if (variant === 1 && world.merchants.length > 0) {
    const merchant = world.rng.pick(world.merchants);
    return { key: inFlightKey(merchant.id), what: `stock gates of merchant ${merchant.id}` };
  }
  if (variant === 2) {
    let held: string[] = [];
    await pollUntil(
      async () => {
        held = await heldOrderLocks(ctx.cluster);
        return held.length > 0;
      },
      1000,
      20,
    );
    if (held.length > 0) {
      const key = world.rng.pick(held);
      return { key, what: `lock ${key}, held then` };
    }
    const open = world.activeOrders();
    if (open.length > 0) {
      const order = world.rng.pick(open);
      return { key: lockKey('order', order.id), what: `lock of open order ${order.id}` };
    }
  }
  return { key: ctx.eventsStream, what: `events stream ${ctx.eventsStream}` };
}

/** The order locks held now (`lock:{order:*}` keys, SCAN of every primary that answers). */
async function heldOrderLocks(cluster: PrivateCluster): Promise<string[]> {
  const found: string[] = [];
  for (const node of cluster.nodes) {
    try {
      await onNode(node.port, async (r) => {
        if (!/role:master/.test(await r.info('replication'))) return;
        let cursor = '0';
        do {
          const [next, keys] = await r.scan(cursor, 'MATCH', lockKey('order', '*'), 'COUNT', 1000);
          cursor = next;
          // The lock's own key, not its companions (`lock:{order:<id>}:queue`, ...).
          found.push(...keys.filter((k) => k.endsWith('}')));
        } while (cursor !== '0');
      });
    } catch {
      // a node that does not answer has nothing to offer
    }
  }
  return found;
}

/** The cluster as the first node that answers sees it, and a key's slot. */
async function view(
  cluster: PrivateCluster,
  key: string,
  skip?: number,
): Promise<{ nodes: NodeLine[]; slot: number }> {
  for (const node of cluster.nodes) {
    if (node.port === skip) continue;
    try {
      const nodes = await clusterNodes(node.port);
      const slot = Number(await onNode(node.port, (r) => r.call('CLUSTER', 'KEYSLOT', key)));
      return { nodes, slot };
    } catch {
      // this node does not answer: ask the next
    }
  }
  throw new Error('no node of the cluster answers');
}

const isPrimary = (line: NodeLine): boolean =>
  line.flags.includes('master') && !line.flags.some((f) => f === 'fail' || f === 'fail?');
const owns = (line: NodeLine, slot: number): boolean =>
  line.slots.some(([a, b]) => a <= slot && slot <= b);

async function replicaSynced(port: number): Promise<boolean> {
  try {
    const info = String(await onNode(port, (r) => r.info('replication')));
    return /role:slave/.test(info) && /master_link_status:up/.test(info);
  } catch {
    return false;
  }
}

async function clusterOk(cluster: PrivateCluster): Promise<boolean> {
  for (const node of cluster.nodes) {
    try {
      const info = String(await onNode(node.port, (r) => r.call('CLUSTER', 'INFO')));
      if (!/cluster_state:ok/.test(info)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** A flash sale a failover aims at, and what to start once the replica is promoted. */
export interface FailoverAim {
  sale: LiveSale;
  promoted: () => void;
}

/**
 * `failover`: freezes (SIGSTOP) the primary that holds the slot of a live key (see
 * liveKey; with `aim`, the stock gates of the flash sale's merchant, struck while its
 * orders are in flight, and `aim.promoted` runs as soon as the replica serves the slot)
 * past the node timeout, until CLUSTER NODES on its replica shows the replica a
 * primary owning that slot; then lets it go (SIGCONT) and waits until it is a synced
 * replica of the new primary and every node says cluster_state:ok. Requests on that
 * slot meet a primary that does not answer, then a new one that may lack its last
 * writes (replication is asynchronous); every guarantee must still hold.
 * @throws Error when the replica is not promoted or the old primary does not rejoin in time.
 */
export async function failoverEpisode(
  ctx: ClusterFaultContext,
  n: number,
  aim?: FailoverAim,
): Promise<string> {
  const { cluster } = ctx;
  const merchant = aim?.sale.product.merchant.id;
  const live = aim
    ? { key: inFlightKey(merchant ?? ''), what: `stock gates of merchant ${merchant ?? ''}` }
    : await liveKey(ctx, n);
  const { nodes, slot } = await view(cluster, live.key);
  const primary = nodes.find((l) => isPrimary(l) && owns(l, slot));
  if (!primary) throw new Error(`no primary owns slot ${slot}`);
  const replica = nodes.find((l) => l.primaryId === primary.id && !l.flags.includes('fail'));
  if (!replica) throw new Error(`primary :${primary.port} of slot ${slot} has no replica`);
  const frozen = cluster.node(primary.port);
  if (!frozen) throw new Error(`:${primary.port} is no node of the harness's cluster`);
  if (!(await pollUntil(() => replicaSynced(replica.port), 10_000, 200)))
    throw new Error(`replica :${replica.port} of :${primary.port} is not in sync`);

  const t0 = Date.now();
  process.kill(frozen.pid, 'SIGSTOP');
  const during = aim && !aim.sale.over ? ` during flash sale #${aim.sale.round}` : '';
  let promotedMs: number | undefined;
  try {
    const promoted = await pollUntil(
      async () => {
        const seen = await clusterNodes(replica.port).catch(() => []);
        const me = seen.find((l) => l.id === replica.id);
        return me !== undefined && isPrimary(me) && owns(me, slot);
      },
      PROMOTION_MS,
      100,
    );
    if (promoted) promotedMs = Date.now() - t0;
  } finally {
    process.kill(frozen.pid, 'SIGCONT');
  }
  const frozenMs = Date.now() - t0;
  if (promotedMs === undefined)
    throw new Error(
      `SIGSTOP :${primary.port} for ${frozenMs} ms: replica :${replica.port} was not promoted`,
    );
  aim?.promoted();
  const t1 = Date.now();
  const rejoined =
    (await pollUntil(() => replicaSynced(primary.port), REJOIN_MS, 200)) &&
    (await pollUntil(() => clusterOk(cluster), REJOIN_MS, 200));
  if (!rejoined)
    throw new Error(
      `replica :${replica.port} promoted after ${promotedMs} ms, but :${primary.port} did not rejoin as a synced replica within ${REJOIN_MS} ms`,
    );
  return `failover#${n}: SIGSTOP primary :${primary.port} holding slot ${slot} (${live.what})${during}; replica :${replica.port} promoted after ${promotedMs} ms (node timeout ${CLUSTER_NODE_TIMEOUT_MS} ms); SIGCONT; :${primary.port} back as a synced replica of :${replica.port} after ${Date.now() - t1} ms`;
}

/** What one slot move did. */
interface Moved {
  keys: number;
  batches: number;
  ms: number;
}

/**
 * Moves `slot` from primary `from` to primary `to` as `redis-cli --cluster reshard`
 * does: CLUSTER SETSLOT IMPORTING on the target, MIGRATING on the source, the source's
 * keys in batches (CLUSTER GETKEYSINSLOT, MIGRATE ... KEYS), then CLUSTER SETSLOT NODE
 * on the target, the source and every other primary. Meanwhile clients get ASK for keys
 * already moved, TRYAGAIN for a script whose keys are split.
 */
async function moveSlot(
  primaries: readonly NodeLine[],
  slot: number,
  from: NodeLine,
  to: NodeLine,
): Promise<Moved> {
  const t0 = Date.now();
  const setslot = (node: NodeLine, ...args: (string | number)[]) =>
    onNode(node.port, (r) => r.call('CLUSTER', 'SETSLOT', slot, ...args));
  await setslot(to, 'IMPORTING', from.id);
  await setslot(from, 'MIGRATING', to.id);
  let keys = 0;
  let batches = 0;
  await onNode(
    from.port,
    async (source: Redis) => {
      for (;;) {
        const batch = (await source.call(
          'CLUSTER',
          'GETKEYSINSLOT',
          slot,
          MIGRATE_BATCH,
        )) as string[];
        if (batch.length === 0) return;
        const [host = '', port = ''] = to.address.split(':');
        await source.call('MIGRATE', host, port, '', 0, MIGRATE_TIMEOUT_MS, 'KEYS', ...batch);
        keys += batch.length;
        batches++;
      }
    },
    MIGRATE_TIMEOUT_MS + 1000,
  );
  for (const node of [to, from, ...primaries.filter((p) => p.id !== to.id && p.id !== from.id)]) {
    await setslot(node, 'NODE', to.id);
  }
  return { keys, batches, ms: Date.now() - t0 };
}

/**
 * `reshard`: moves the slot of a live key (see liveKey) from its primary to another
 * primary, and after 1-3 s back (so the cluster's layout stays as it was): keys move
 * while the workload reads and writes them, scripts meet ASK and TRYAGAIN, and the
 * lock's sharded wake-up channels change node. Every guarantee must still hold.
 * @throws Error when a step fails (the slot may then be left migrating: the run fails).
 */
export async function reshardEpisode(ctx: ClusterFaultContext, n: number): Promise<string> {
  const { cluster, world } = ctx;
  // The events stream first, then a merchant's gates, then an order's lock.
  const live = await liveKey(ctx, n + 2);
  const before = await view(cluster, live.key);
  const { slot } = before;
  const primaries = before.nodes.filter(isPrimary);
  const source = primaries.find((l) => owns(l, slot));
  if (!source) throw new Error(`no primary owns slot ${slot}`);
  const others = primaries.filter((l) => l.id !== source.id);
  if (others.length === 0) throw new Error('no other primary to move the slot to');
  const target = world.rng.pick(others);
  const away = await moveSlot(primaries, slot, source, target);
  const stayMs = world.rng.int(1000, 3000);
  await sleep(stayMs);
  // The layout again, fresh: the cluster may have changed (it does not, within a Redis turn).
  const after = await view(cluster, live.key);
  const now = after.nodes.filter(isPrimary);
  const holder = now.find((l) => owns(l, slot));
  const home = now.find((l) => l.id === source.id);
  const moves = (m: Moved) => `${m.keys} keys in ${m.batches} MIGRATE batches, ${m.ms} ms`;
  const there = `reshard#${n}: slot ${slot} (${live.what}) moved :${source.port} -> :${target.port} (${moves(away)})`;
  if (!holder || !home || holder.id === home.id) return `${there}; not moved back`;
  const back = await moveSlot(now, slot, holder, home);
  return `${there}; ${stayMs} ms later back :${holder.port} -> :${home.port} (${moves(back)})`;
}
