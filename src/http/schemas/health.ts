import { z } from './zod';

/** What `/readyz` found: `ok`, or why the dependency did not answer. */
export const dependencyChecks = z
  .object({ redis: z.string(), postgres: z.string() })
  .openapi({ description: '`ok`, or why the dependency did not answer.' });

/** `GET /healthz`. */
export const Health = z
  .object({ status: z.literal('ok') })
  .strict()
  .openapi('Health');

/** `GET /readyz` while Redis and PostgreSQL answer. */
export const Ready = z
  .object({ status: z.literal('ok'), checks: dependencyChecks.strict() })
  .strict()
  .openapi('Ready');
