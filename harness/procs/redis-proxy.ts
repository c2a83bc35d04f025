import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';

/** One client connection and its connection to Redis. */
interface Link {
  client: Socket;
  upstream: Socket;
  /** It sent a SUBSCRIBE: a lock manager's subscriber connection. */
  pubsub: boolean;
  /** Bytes are dropped both ways; the sockets stay open. */
  blackholed: boolean;
  /** Bytes kept back during a stall, in arrival order, with where they go. */
  held: { to: Socket; chunk: Buffer }[];
}

/** A SUBSCRIBE, PSUBSCRIBE or SSUBSCRIBE command name as RESP sends it. */
const SUBSCRIBE = /\$(9|10)\r\n[ps]?subscribe\r\n/i;

/**
 * A TCP proxy on a free port of 127.0.0.1 in front of the private redis-server, so that
 * a subscriber connection can be made half-open: its sockets stay connected, but
 * nothing goes through any more, as when a peer vanished without a FIN or RST (a NAT
 * entry dropped, a host frozen). The client's messages and wake-ups then vanish in
 * silence until `resetBlackholed` ends those connections, as a keepalive would. Or the
 * whole server can seem stalled: `stall` keeps every byte back until `thaw`, as a
 * SIGSTOPped redis-server would, without stopping a server other clients share.
 */
export class RedisProxy {
  private readonly links = new Set<Link>();
  private stalled = false;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: number,
  ) {}

  /** Listens on a free port and forwards every connection to 127.0.0.1:`targetPort`. */
  static async start(targetPort: number): Promise<RedisProxy> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy: no port');
    const proxy = new RedisProxy(server, address.port, targetPort);
    server.on('connection', (client) => proxy.link(client));
    return proxy;
  }

  /** The URL the instances use instead of the server's. */
  get url(): string {
    return this.urlFor(0);
  }

  /** The URL of database `db` through the proxy. */
  urlFor(db: number): string {
    return `redis://127.0.0.1:${this.port}/${db}`;
  }

  /** Every connection keeps its bytes back from now on (until thaw), both ways. */
  stall(): void {
    this.stalled = true;
  }

  /** Ends a stall: what was kept back is delivered, in order. */
  thaw(): void {
    this.stalled = false;
    for (const link of this.links) {
      for (const { to, chunk } of link.held.splice(0)) to.write(chunk);
    }
  }

  /** Subscriber connections stop passing bytes, silently; returns how many. */
  blackholeSubscribers(): number {
    let n = 0;
    for (const link of this.links) {
      if (!link.pubsub || link.blackholed) continue;
      link.blackholed = true;
      n++;
    }
    return n;
  }

  /** Ends the black-holed connections with a reset; returns how many. */
  resetBlackholed(): number {
    let n = 0;
    for (const link of this.links) {
      if (!link.blackholed) continue;
      link.client.resetAndDestroy();
      link.upstream.destroy();
      n++;
    }
    return n;
  }

  /** Closes every connection and stops listening. */
  async close(): Promise<void> {
    for (const link of this.links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    this.server.close();
    await once(this.server, 'close');
  }

  private link(client: Socket): void {
    const upstream = connect(this.target, '127.0.0.1');
    const link: Link = { client, upstream, pubsub: false, blackholed: false, held: [] };
    this.links.add(link);
    const forward = (to: Socket, chunk: Buffer): void => {
      if (link.blackholed) return;
      if (this.stalled) link.held.push({ to, chunk });
      else to.write(chunk);
    };
    client.on('data', (chunk: Buffer) => {
      if (!link.pubsub && SUBSCRIBE.test(chunk.toString('latin1'))) link.pubsub = true;
      forward(upstream, chunk);
    });
    upstream.on('data', (chunk: Buffer) => forward(client, chunk));
    // Either side ending ends both: a killed or restarted server closes its clients.
    const end = (): void => {
      this.links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', end);
      socket.on('close', end);
    }
  }
}
