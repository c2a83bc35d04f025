import type { Problem } from './types';

/** A refusal from the API: the status and its problem document (RFC 9457). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail || problem.title);
  }
}

export interface Answer<T> {
  body: T;
  /** The order's version from its strong ETag, when the answer carries one. */
  version?: number;
}

export interface PostOptions {
  /** Sent as `If-Match: "<version>"`. */
  ifMatch?: number;
  idempotencyKey?: string;
}

/**
 * The public API with the signed-in bearer token: the only way the page reads or changes
 * anything. A 401 calls `onUnauthenticated` (the token expired or was wrong).
 */
export class Api {
  constructor(
    private readonly token: string,
    private readonly onUnauthenticated: () => void = () => undefined,
  ) {}

  get<T>(path: string): Promise<Answer<T>> {
    return this.send<T>('GET', path);
  }

  post<T>(path: string, body: object, options: PostOptions = {}): Promise<Answer<T>> {
    return this.send<T>('POST', path, body, options);
  }

  private async send<T>(
    method: string,
    path: string,
    body?: object,
    options: PostOptions = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    if (body) headers['Content-Type'] = 'application/json';
    if (options.ifMatch !== undefined) headers['If-Match'] = `"${options.ifMatch}"`;
    if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
    const res = await fetch(path, {
      method,
      headers,
      body: body ? JSON.stringify(body) : undefined,
      cache: 'no-store',
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : {};
    if (!res.ok) {
      if (res.status === 401) this.onUnauthenticated();
      throw new ApiError(res.status, parsed as Problem);
    }
    const etag = /^"(\d+)"$/.exec(res.headers.get('ETag') ?? '');
    return { body: parsed as T, ...(etag?.[1] ? { version: Number(etag[1]) } : {}) };
  }
}

/** What the signed-in token says about its holder (read, not verified: the API verifies). */
export interface Session {
  token: string;
  role: string;
  id: string;
}

/** Decodes a JWT's `role` and `sub`; undefined when it is not a token. */
export function sessionOf(token: string): Session | undefined {
  const payload = token.trim().split('.')[1];
  if (!payload) return undefined;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { role?: unknown; sub?: unknown };
    if (typeof claims.role !== 'string' || typeof claims.sub !== 'string') return undefined;
    return { token: token.trim(), role: claims.role, id: claims.sub };
  } catch {
    return undefined;
  }
}
