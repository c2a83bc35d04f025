import http from 'node:http';
import { performance } from 'node:perf_hooks';

/** One buyer's answer: HTTP status (0: no answer), problem code, latency in ms. */
export interface Answer {
  status: number;
  code: string | undefined;
  ms: number;
}

export interface StormLoad {
  /** Base URLs of the instances; request n goes to instance n mod count. */
  urls: readonly string[];
  /** One bearer token per buyer: each sends exactly one request. */
  tokens: readonly string[];
  /** What every buyer POSTs: the path (e.g. `/v1/orders`) and the JSON body. */
  path: string;
  body: string;
  /** Requests in flight at once (a closed loop: each answer starts the next request). */
  inFlight: number;
  /** Per-request deadline. */
  timeoutMs: number;
}

/**
 * Every buyer POSTs the same request once (a flash sale's order, a claim storm's claim),
 * `inFlight` at a time, spread round robin over the instances on keep-alive connections
 * (`inFlight` sockets in all).
 * @returns each buyer's answer, in buyer order, and the wall time from the first request
 * to the last answer (ms). Never throws: a network error is status 0.
 */
export async function runStorm(load: StormLoad): Promise<{ answers: Answer[]; wallMs: number }> {
  const perInstance = Math.ceil(load.inFlight / load.urls.length);
  const agents = load.urls.map(
    () => new http.Agent({ keepAlive: true, maxSockets: perInstance, maxFreeSockets: perInstance }),
  );
  const answers = new Array<Answer>(load.tokens.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < load.tokens.length) {
      const n = next++;
      const i = n % load.urls.length;
      const url = `${load.urls[i] ?? ''}${load.path}`;
      answers[n] = await post(url, agents[i] as http.Agent, load.tokens[n] ?? '', load);
    }
  };
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: Math.min(load.inFlight, load.tokens.length) }, worker));
    return { answers, wallMs: performance.now() - started };
  } finally {
    for (const agent of agents) agent.destroy();
  }
}

function post(
  url: string,
  agent: http.Agent,
  token: string,
  load: Pick<StormLoad, 'timeoutMs' | 'body'>,
): Promise<Answer> {
  const { body } = load;
  const t0 = performance.now();
  return new Promise<Answer>((resolve) => {
    const done = (status: number, code: string | undefined) =>
      resolve({ status, code, ms: performance.now() - t0 });
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        timeout: load.timeoutMs,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(res.statusCode ?? 0, problemCode(res.statusCode, chunks)));
        res.on('error', () => done(0, 'network'));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => done(0, 'network'));
    req.end(body);
  });
}

/** The problem document's `code` of an error answer (undefined for a 2xx). */
function problemCode(status: number | undefined, chunks: Buffer[]): string | undefined {
  if (status === undefined || status < 400) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const code = (parsed as { code?: unknown }).code;
    return typeof code === 'string' ? code : `http_${status}`;
  } catch {
    return `http_${status}`;
  }
}
