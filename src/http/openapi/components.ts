import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import type { HeaderObject, ParameterObject } from 'openapi3-ts/oas31';

/** Response headers the document names (`#/components/headers/<name>`). */
export const RESPONSE_HEADERS = {
  ETag: {
    description:
      'The order\'s version as a strong ETag, `"<version>"`; send it back in `If-Match`.',
    schema: { type: 'string', pattern: '^"[0-9]+"$' },
  },
  Location: {
    description: 'The path of the resource just created.',
    schema: { type: 'string' },
  },
  RetryAfter: {
    description: 'Whole seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 1 },
  },
  IdempotentReplayed: {
    description:
      '`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.',
    schema: { type: 'string', enum: ['true'] },
  },
  RateLimitPolicy: {
    description: 'The quota that applies to the caller (draft-ietf-httpapi-ratelimit-headers).',
    schema: { type: 'string' },
  },
  RateLimit: {
    description: "What is left of the caller's quota (draft-ietf-httpapi-ratelimit-headers).",
    schema: { type: 'string' },
  },
} satisfies Record<string, HeaderObject>;

export type ResponseHeader = keyof typeof RESPONSE_HEADERS;

/** The header's name on the wire, where it differs from its component name. */
const WIRE_NAME: Partial<Record<ResponseHeader, string>> = {
  RetryAfter: 'Retry-After',
  IdempotentReplayed: 'Idempotent-Replayed',
  RateLimitPolicy: 'RateLimit-Policy',
};

/** `{ "<Wire-Name>": { $ref } }` for a response's `headers`. */
export function headerRefs(names: readonly ResponseHeader[]): Record<string, { $ref: string }> {
  return Object.fromEntries(
    names.map((name) => [WIRE_NAME[name] ?? name, { $ref: `#/components/headers/${name}` }]),
  );
}

/** Request headers (`#/components/parameters/<name>`). */
export const REQUEST_HEADERS = {
  IfMatch: {
    name: 'If-Match',
    in: 'header',
    description:
      'Apply only if the order is still at this version: `*` or strong ETags `"<version>"`, comma-separated. A stale one gets 412.',
    schema: { type: 'string', example: '"3"' },
  },
  IdempotencyKey: {
    name: 'Idempotency-Key',
    in: 'header',
    description:
      'Makes a retry safe: the same key with the same body replays the first answer, for 24 hours, per principal.',
    schema: { type: 'string', pattern: '^[\\x20-\\x7e]{1,255}$' },
  },
} satisfies Record<string, ParameterObject>;

export type RequestHeader = keyof typeof REQUEST_HEADERS;

export const parameterRef = (name: RequestHeader) => ({
  $ref: `#/components/parameters/${name}`,
});

/** Registers the headers, header parameters and the bearer scheme. */
export function registerComponents(registry: OpenAPIRegistry): void {
  for (const [name, header] of Object.entries(RESPONSE_HEADERS)) {
    registry.registerComponent('headers', name, header);
  }
  for (const [name, parameter] of Object.entries(REQUEST_HEADERS)) {
    registry.registerComponent('parameters', name, parameter);
  }
  registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'HS256 JWT signed with `AUTH_JWT_SECRET`: `sub` (the principal id), `role` (`buyer`, `merchant` or `admin`), optional `exp`.',
  });
}
