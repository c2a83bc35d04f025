import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { AnyZodObject, ZodTypeAny } from 'zod';
import { problemOf, statusOfCode, type DocumentedCode } from '../schemas/problem';
import { headerRefs, parameterRef, type RequestHeader, type ResponseHeader } from './components';

/** One operation of the API, as the document describes it. */
export interface Endpoint {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** OpenAPI path template: `/v1/orders/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: 'Orders' | 'Products' | 'Coupons' | 'Events' | 'Operations';
  /** False for the few endpoints that need no bearer token. */
  auth?: boolean;
  params?: AnyZodObject;
  query?: AnyZodObject;
  /** The request body's schema; `required: false` when no body counts as `{}`. */
  body?: { schema: ZodTypeAny; required: boolean };
  requestHeaders?: readonly RequestHeader[];
  success: {
    status: 200 | 201 | 204;
    description: string;
    /** Omitted: no body. */
    schema?: ZodTypeAny;
    /** Default `application/json`. */
    mediaType?: string;
    headers?: readonly ResponseHeader[];
  };
  /**
   * Problem codes this endpoint may answer. Those that follow from the rest of the
   * description are added: 401 with `auth`, 429 under `/v1`, 500 everywhere, the body
   * parser's codes for POST, PUT and PATCH, and those of `If-Match` and `Idempotency-Key`.
   */
  problems: readonly DocumentedCode[];
}

const BODY_CODES: DocumentedCode[] = [
  'malformed_json',
  'payload_too_large',
  'unsupported_media_type',
];
const HEADER_CODES: Record<RequestHeader, DocumentedCode[]> = {
  IfMatch: ['validation_failed', 'precondition_failed'],
  IdempotencyKey: ['validation_failed', 'idempotency_key_in_flight', 'idempotency_key_reused'],
};
/** Codes whose answer carries `Retry-After`. */
const RETRY_CODES = new Set<DocumentedCode>([
  'order_busy',
  'idempotency_key_in_flight',
  'rate_limited',
  'dependency_unavailable',
]);
/** Statuses an idempotent POST never stores (so never replays): see src/http/idempotency.ts. */
const NEVER_REPLAYED = new Set([401, 413, 415, 429, 500, 503]);

/** Every code the endpoint may answer, in the order of their statuses. */
export function codesOf(e: Endpoint): DocumentedCode[] {
  const codes = new Set<DocumentedCode>(e.problems);
  if (e.auth !== false) codes.add('unauthenticated');
  if (e.path.startsWith('/v1/')) codes.add('rate_limited');
  if (['post', 'put', 'patch'].includes(e.method)) BODY_CODES.forEach((c) => codes.add(c));
  for (const header of e.requestHeaders ?? []) HEADER_CODES[header].forEach((c) => codes.add(c));
  codes.add('internal');
  return [...codes].sort((a, b) => statusOfCode(a) - statusOfCode(b) || (a < b ? -1 : 1));
}

function commonHeaders(e: Endpoint, status: number): ResponseHeader[] {
  const headers: ResponseHeader[] = [];
  if (e.requestHeaders?.includes('IdempotencyKey') && !NEVER_REPLAYED.has(status))
    headers.push('IdempotentReplayed');
  if (e.path.startsWith('/v1/')) headers.push('RateLimitPolicy', 'RateLimit');
  return headers;
}

function problemResponse(e: Endpoint, status: number, codes: DocumentedCode[]): ResponseConfig {
  const retry = codes.some((c) => RETRY_CODES.has(c)) ? (['RetryAfter'] as const) : [];
  return {
    description: codes.map((c) => `\`${c}\``).join(', '),
    headers: headerRefs([...retry, ...commonHeaders(e, status)]),
    content: { 'application/problem+json': { schema: problemOf(status, codes) } },
  };
}

/** The operation's responses: its success and one problem response per status. */
export function responsesOf(e: Endpoint): Record<string, ResponseConfig> {
  const { success } = e;
  const responses: Record<string, ResponseConfig> = {
    [success.status]: {
      description: success.description,
      headers: headerRefs([...(success.headers ?? []), ...commonHeaders(e, success.status)]),
      ...(success.schema
        ? { content: { [success.mediaType ?? 'application/json']: { schema: success.schema } } }
        : {}),
    },
  };
  const byStatus = new Map<number, DocumentedCode[]>();
  for (const code of codesOf(e)) {
    const status = statusOfCode(code);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of byStatus) responses[status] = problemResponse(e, status, codes);
  return responses;
}

/** Adds the endpoint to the registry. */
export function registerEndpoint(registry: OpenAPIRegistry, e: Endpoint): void {
  registry.registerPath({
    method: e.method,
    path: e.path,
    operationId: e.operationId,
    summary: e.summary,
    ...(e.description ? { description: e.description } : {}),
    tags: [e.tag],
    ...(e.auth === false ? { security: [] } : {}),
    ...(e.requestHeaders?.length ? { parameters: e.requestHeaders.map(parameterRef) } : {}),
    request: {
      ...(e.params ? { params: e.params } : {}),
      ...(e.query ? { query: e.query } : {}),
      ...(e.body
        ? {
            body: {
              required: e.body.required,
              content: { 'application/json': { schema: e.body.schema } },
            },
          }
        : {}),
    },
    responses: responsesOf(e),
  });
}
