import { once } from 'node:events';
import { connect } from 'node:net';
import { spawnInstance, statusOf, waitReady } from '../helpers/instances';
import { waitUntil } from '../../support/time';

describe('the server process', () => {
  it('when a setting is bad, then it stops at start with a message naming the variable', async () => {
    const instance = await spawnInstance({ LOCK_TTL_MS: 'soon' });
    const [code] = (await once(instance.child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(instance.output()).toContain('LOCK_TTL_MS must be a whole number (got "soon")');
  });

  it('when SIGTERM arrives mid-request, then that request still gets its answer and the process exits 0', async () => {
    const instance = await spawnInstance();
    const exited = once(instance.child, 'exit');
    try {
      await waitReady(instance);
      // A request whose body is only half sent is in flight when the signal arrives. With
      // `Expect: 100-continue` Node answers 100 Continue once it has taken the request in
      // (it has emitted 'request'): proof that the server holds it, without a fixed wait.
      const socket = connect(instance.port, '127.0.0.1');
      await once(socket, 'connect');
      let response = '';
      socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
      const body = JSON.stringify({ hello: 'world' });
      socket.write(
        `POST /v1/nothing HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
      );
      await waitUntil(() => response.includes('\r\n\r\n'), 5000, 'the 100 Continue');
      expect(response).toBe('HTTP/1.1 100 Continue\r\n\r\n');
      response = '';
      socket.write(body.slice(0, 5));
      instance.child.kill('SIGTERM');
      await waitUntil(
        () => instance.output().includes('shutting down'),
        5000,
        'the shutdown to begin',
      );
      expect(await statusOf(instance.url, '/healthz')).toBe(0); // no new connections
      socket.write(body.slice(5));
      await once(socket, 'close');
      expect(response).toMatch(/^HTTP\/1\.1 401 /); // /v1 asks for a token first
      expect(response).toContain('"code":"unauthenticated"');
      const [code] = (await exited) as [number];
      expect(code).toBe(0);
      expect(instance.output()).toContain('shutdown complete');
    } finally {
      instance.child.kill('SIGKILL');
    }
  });
});
