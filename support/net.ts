import { once } from 'node:events';
import { createServer } from 'node:net';

/**
 * A free TCP port on 127.0.0.1, as the OS hands it out. Another process may take it
 * before the caller listens on it; callers that spawn a server retry on a new port.
 * @throws Error when the OS gives no port.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  await once(server, 'close');
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}
