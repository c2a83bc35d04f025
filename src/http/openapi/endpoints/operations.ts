import { Health, Ready } from '../../schemas/health';
import { z } from '../../schemas/zod';
import type { Endpoint } from '../endpoint';

/** Health, metrics and this document (src/http/health.ts, src/http/app.ts). */
export const OPERATION_ENDPOINTS: Endpoint[] = [
  {
    method: 'get',
    path: '/healthz',
    operationId: 'health',
    summary: 'Liveness: 200 while the process runs',
    tag: 'Operations',
    auth: false,
    success: { status: 200, description: 'The process runs.', schema: Health },
    problems: [],
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'ready',
    summary: 'Readiness: Redis and PostgreSQL answer',
    description: 'Answers 503 as soon as shutdown begins.',
    tag: 'Operations',
    auth: false,
    success: { status: 200, description: 'Both dependencies answered.', schema: Ready },
    problems: ['dependency_unavailable'],
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'metrics',
    summary: 'Prometheus metrics (when the instance serves them)',
    tag: 'Operations',
    auth: false,
    success: {
      status: 200,
      description: 'Prometheus text exposition format.',
      schema: z.string(),
      mediaType: 'text/plain',
    },
    problems: [],
  },
  {
    method: 'get',
    path: '/v1/openapi.json',
    operationId: 'getOpenApi',
    summary: 'This document',
    tag: 'Operations',
    auth: false,
    success: {
      status: 200,
      description: 'The OpenAPI 3.1 document of every endpoint.',
      schema: z.object({ openapi: z.string() }).passthrough(),
    },
    problems: [],
  },
];
