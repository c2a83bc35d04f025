import net from 'node:net';

interface Link {
  client: net.Socket;
  upstream: net.Socket;
  /** The client sent a SUBSCRIBE: this is a lock manager's subscriber connection. */
  subscriber: boolean;
  /** 'hold': bytes wait (a stalled server); 'drop': bytes vanish (a half-open socket). */
  mode: 'pass' | 'hold' | 'drop';
  held: { to: net.Socket; data: Buffer }[];
}

/**
 * A TCP proxy in front of a real Redis that can stall it the way a SIGSTOPped server or a
 * firewall that silently drops a flow does, without touching the server other tests use.
 */
export class StallProxy {
  private readonly links: Link[] = [];
  private readonly server: net.Server;
  private port = 0;

  private constructor(target: URL) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(Number(target.port), target.hostname);
      const link: Link = { client, upstream, subscriber: false, mode: 'pass', held: [] };
      this.links.push(link);
      const forward = (to: net.Socket) => (data: Buffer) => {
        if (link.mode === 'hold') link.held.push({ to, data });
        else if (link.mode === 'pass') to.write(data);
      };
      client.on('data', (data: Buffer) => {
        if (/subscribe/i.test(data.toString('latin1'))) link.subscriber = true;
      });
      client.on('data', forward(upstream));
      upstream.on('data', forward(client));
      for (const socket of [client, upstream]) socket.on('error', () => undefined);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  /** Listens on a free port of 127.0.0.1 and forwards to `target` (`redis://host:port/db`). */
  static async start(target: string): Promise<StallProxy> {
    const proxy = new StallProxy(new URL(target));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.port = (proxy.server.address() as net.AddressInfo).port;
    return proxy;
  }

  /** The Redis URL to give a client instead of the target's. */
  url(db = 0): string {
    return `redis://127.0.0.1:${this.port}/${db}`;
  }

  /** Stalls every connection (bytes are kept and delivered on thaw), as SIGSTOP would. */
  stall(): void {
    for (const link of this.links) link.mode = 'hold';
  }

  /** Makes the subscriber connections half-open: from now on their bytes vanish. */
  dropSubscribers(): number {
    const subscribers = this.links.filter((link) => link.subscriber && !link.client.destroyed);
    for (const link of subscribers) link.mode = 'drop';
    return subscribers.length;
  }

  /** Lets bytes through again, delivering what a stall held back. */
  thaw(): void {
    for (const link of this.links) {
      if (link.mode !== 'hold') continue;
      link.mode = 'pass';
      for (const { to, data } of link.held.splice(0)) to.write(data);
    }
  }

  async close(): Promise<void> {
    for (const link of this.links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
