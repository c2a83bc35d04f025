import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import type { RequestHandler } from 'express';
import type { OpenAPIObject } from 'openapi3-ts/oas31';
import { registerComponents } from './components';
import { registerEndpoint } from './endpoint';
import { ENDPOINTS } from './endpoints';

const TAGS = [
  { name: 'Products', description: 'The merchant catalogue, with stock.' },
  { name: 'Orders', description: 'Orders, their history and their transitions.' },
  { name: 'Coupons', description: "Coupon campaigns, claims and the buyer's list of claims." },
  {
    name: 'Events',
    description:
      'Every event of every order, in commit order: the feed, the live stream and webhooks.',
  },
  { name: 'Operations', description: 'Health, metrics and this document; no token needed.' },
];

/** A copy of `map` with its keys sorted, so that the file's order does not depend on registration order. */
function sorted<T>(map: Record<string, T> | undefined): Record<string, T> | undefined {
  if (map === undefined) return undefined;
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The OpenAPI 3.1 document of every endpoint in `ENDPOINTS`, generated from the zod
 * schemas that validate the requests. Paths and components come in sorted order.
 */
export function buildOpenApiDocument(): OpenAPIObject {
  const registry = new OpenAPIRegistry();
  registerComponents(registry);
  for (const endpoint of ENDPOINTS) registerEndpoint(registry, endpoint);
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Order coordinator',
      version: '2',
      description:
        'Order state transitions for an online shop: one lock and one version check per change. Errors are RFC 9457 problem documents whose `code` is one of the listed codes.',
      license: { name: 'UNLICENSED', identifier: 'UNLICENSED' },
    },
    servers: [{ url: '/', description: 'The instance that serves this document.' }],
    security: [{ bearerAuth: [] }],
    tags: TAGS,
  });
  const components = document.components ?? {};
  const sortedComponents = Object.fromEntries(
    Object.entries(components).map(([kind, map]) => [kind, sorted(map as Record<string, unknown>)]),
  );
  return { ...document, paths: sorted(document.paths), components: sortedComponents };
}

/** The served text; the document depends only on the code, so one build per process. */
let served: string | undefined;

/** `GET /v1/openapi.json`: the document, built when the first app is made (about 0.1 s). */
export function serveOpenApi(): RequestHandler {
  const body = (served ??= JSON.stringify(buildOpenApiDocument()));
  return (_req, res) => {
    res.type('application/json').send(body);
  };
}
