import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { pollUntil } from '../../support/time';
import { atKillAll, track } from './children';

/** The cluster's node timeout: a primary silent that long is failed and its replica promoted. */
export const CLUSTER_NODE_TIMEOUT_MS = 2000;

/** The private cluster's nodes take ports from here (their buses 10000 higher). */
const PORT_RANGE = { from: 20_000, to: 29_990 };

/** One redis-server of the private cluster. */
export interface ClusterNode {
  readonly port: number;
  /** Its process id (SIGSTOP and SIGCONT go there). */
  readonly pid: number;
  /** `127.0.0.1:<port>`, as CLUSTER NODES names it. */
  readonly address: string;
}

/** One line of CLUSTER NODES. */
export interface NodeLine {
  id: string;
  /** `host:port` (without the bus port). */
  address: string;
  port: number;
  flags: string[];
  /** The primary's id for a replica, else undefined. */
  primaryId: string | undefined;
  /** For a primary: its slot ranges, inclusive. */
  slots: [number, number][];
}

/**
 * A Redis Cluster of the harness's own: six redis-servers on 127.0.0.1 (3 primaries, 3
 * replicas, made with `redis-cli --cluster create --cluster-replicas 1`), with the local
 * cluster's settings (a 2 s node timeout, append-only files), on free ports of 20000-29990
 * (never the project's 7101-7106) in a temporary directory that `stop` deletes. The
 * servers are the harness's children: they die with it.
 */
export class PrivateCluster {
  private readonly children = new Map<number, ChildProcess>();
  /** Forgets the directory's removal at the harness's exit (done by `stop`). */
  private readonly forgetDir: () => void;

  private constructor(
    readonly dir: string,
    readonly nodes: readonly ClusterNode[],
  ) {
    // Ctrl-C or a failure the harness does not survive: the nodes die, the directory goes.
    this.forgetDir = atKillAll(() => rmSync(dir, { recursive: true, force: true }));
  }

  /** Starts six nodes and makes them one cluster; stops them again when that fails. */
  static async start(): Promise<PrivateCluster> {
    const dir = mkdtempSync(path.join(tmpdir(), 'harness-cluster-'));
    const ports = await freeNodePorts(6).catch((error: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    });
    const children = new Map<number, ChildProcess>();
    const nodes: ClusterNode[] = [];
    for (const port of ports) {
      const nodeDir = path.join(dir, String(port));
      mkdirSync(nodeDir);
      const child = spawn(
        'redis-server',
        [
          ...['--bind', '127.0.0.1', '--port', String(port), '--dir', nodeDir],
          ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf'],
          ...['--cluster-node-timeout', String(CLUSTER_NODE_TIMEOUT_MS)],
          ...['--save', '', '--appendonly', 'yes', '--appendfsync', 'everysec'],
          ...['--logfile', path.join(nodeDir, 'redis.log')],
        ],
        { stdio: 'ignore' },
      );
      track(child);
      child.once('error', () => undefined);
      children.set(port, child);
      nodes.push({ port, pid: child.pid ?? 0, address: `127.0.0.1:${port}` });
    }
    const cluster = new PrivateCluster(dir, nodes);
    for (const [port, child] of children) cluster.children.set(port, child);
    try {
      for (const node of nodes) {
        if (!(await pollUntil(() => ping(node.port), 10_000, 50)))
          throw new Error(`cluster node on port ${node.port} did not start`);
      }
      await cluster.create();
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** The seeds for REDIS_CLUSTER_NODES: every node. */
  get seeds(): string {
    return this.nodes.map((n) => n.address).join(',');
  }

  /** E.g. `private Redis Cluster 127.0.0.1:20001,... (3 primaries, 3 replicas)`. */
  describe(): string {
    return `private Redis Cluster of 6 nodes (3 primaries, 3 replicas) on ${this.seeds}, node timeout ${CLUSTER_NODE_TIMEOUT_MS} ms`;
  }

  node(port: number): ClusterNode | undefined {
    return this.nodes.find((n) => n.port === port);
  }

  /** SIGKILLs every node (a frozen one too) and deletes the directory. */
  async stop(): Promise<void> {
    const exits: Promise<unknown>[] = [];
    for (const child of this.children.values()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      exits.push(once(child, 'exit'));
      child.kill('SIGKILL');
    }
    this.children.clear();
    await Promise.all(exits);
    rmSync(this.dir, { recursive: true, force: true });
    this.forgetDir();
  }

  /** `redis-cli --cluster create` on the six nodes, then waits until every node says ok. */
  private async create(): Promise<void> {
    const cli = spawn(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...this.nodes.map((n) => n.address),
        '--cluster-replicas',
        '1',
        '--cluster-yes',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    track(cli);
    let output = '';
    cli.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    cli.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [code] = (await once(cli, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`redis-cli --cluster create failed (${code}):\n${output}`);
    const ok = await pollUntil(
      async () => {
        for (const node of this.nodes) {
          const info = await onNode(node.port, (r) => r.cluster('INFO')).catch(() => '');
          if (!/cluster_state:ok/.test(String(info))) return false;
          if (!/cluster_known_nodes:6/.test(String(info))) return false;
        }
        return true;
      },
      30_000,
      200,
    );
    if (!ok) throw new Error('the private Redis Cluster did not become ok within 30 s');
  }
}

/** `call` on a connection of its own to the node on `port`, with a deadline; rejects when it does not answer. */
export async function onNode<T>(
  port: number,
  call: (node: Redis) => Promise<T>,
  timeoutMs = 1000,
): Promise<T> {
  const node = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
  });
  node.on('error', () => undefined);
  try {
    await node.connect();
    return await call(node);
  } finally {
    node.disconnect();
  }
}

/** CLUSTER NODES as seen by the node on `port`. */
export async function clusterNodes(port: number): Promise<NodeLine[]> {
  const text = String(await onNode(port, (r) => r.cluster('NODES')));
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id = '', addr = '', flags = '', primary = '-', , , , , ...slots] = line.split(' ');
      const address = addr.split('@')[0] ?? '';
      const ranges: [number, number][] = [];
      for (const s of slots) {
        if (s.startsWith('[')) continue; // a slot being migrated or imported
        const [a, b] = s.split('-').map(Number);
        if (a !== undefined && Number.isInteger(a)) ranges.push([a, b ?? a]);
      }
      return {
        id,
        address,
        port: Number(address.split(':')[1]),
        flags: flags.split(','),
        primaryId: primary === '-' ? undefined : primary,
        slots: ranges,
      };
    });
}

async function ping(port: number): Promise<boolean> {
  try {
    return (await onNode(port, (r) => r.ping())) === 'PONG';
  } catch {
    return false;
  }
}

/** `n` ports of PORT_RANGE that are free, their cluster bus ports (+10000) too. */
async function freeNodePorts(n: number): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < n && tries < 1000; tries++) {
    const port = PORT_RANGE.from + Math.floor(Math.random() * (PORT_RANGE.to - PORT_RANGE.from));
    if (ports.includes(port) || ports.includes(port + 10_000) || ports.includes(port - 10_000))
      continue;
    if ((await canListen(port)) && (await canListen(port + 10_000))) ports.push(port);
  }
  if (ports.length < n) throw new Error('no free ports for the private Redis Cluster');
  return ports;
}

async function canListen(port: number): Promise<boolean> {
  const server = createServer();
  try {
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return true;
  } catch {
    return false;
  } finally {
    if (server.listening) {
      server.close();
      await once(server, 'close');
    }
  }
}
