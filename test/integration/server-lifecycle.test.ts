import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import path from 'node:path';
import { freePort } from '../helpers/redis-server';
import { waitUntil } from '../helpers/wait';

const root = path.resolve(__dirname, '../..');

function startServer(
  port: number,
  env: NodeJS.ProcessEnv = {},
): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function status(port: number, route: string): Promise<number> {
  try {
    return (await fetch(`http://127.0.0.1:${port}${route}`)).status;
  } catch {
    return 0;
  }
}

describe('the server process', () => {
  it('when a setting is bad, then it stops at start with a message naming the variable', async () => {
    const { child, output } = startServer(await freePort(), { LOCK_TTL_MS: 'soon' });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(output()).toContain('LOCK_TTL_MS must be a whole number (got "soon")');
  });

  it('when SIGTERM arrives mid-request, then that request still gets its answer and the process exits 0', async () => {
    const port = await freePort();
    const { child, output } = startServer(port);
    try {
      await waitUntil(
        async () => (await status(port, '/readyz')) === 200,
        20_000,
        'the server to be ready',
      );
      // A request whose body is only half sent is in flight when the signal arrives.
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      let response = '';
      socket.on('data', (chunk: Buffer) => (response += chunk.toString()));
      const body = JSON.stringify({ hello: 'world' });
      socket.write(
        `POST /v1/nothing HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 5)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      child.kill('SIGTERM');
      await waitUntil(() => output().includes('shutting down'), 5000, 'the shutdown to begin');
      expect(await status(port, '/healthz')).toBe(0); // no new connections
      socket.write(body.slice(5));
      await once(socket, 'close');
      expect(response).toMatch(/^HTTP\/1\.1 404 /);
      expect(response).toContain('"code":"not_found"');
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).toBe(0);
      expect(output()).toContain('shutdown complete');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
