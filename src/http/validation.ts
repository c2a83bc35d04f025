import type { z, ZodType } from 'zod';
import { AppError } from '../errors';
import { uuid } from './schemas/common';

/** Zod issues as the contract's `errors: [{ path, message }]`. */
export function validationError(error: z.ZodError, prefix: string): AppError {
  const at = (path: (string | number)[]) => [prefix, ...path].filter((p) => p !== '').join('.');
  const errors = error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          path: at([...issue.path, key]),
          message: 'is not a field of this request',
        }))
      : [{ path: at(issue.path), message: issue.message }],
  );
  return new AppError('validation_failed', 'The request is not valid.', { extensions: { errors } });
}

/** Parses `value` with `schema` or throws 400 validation_failed naming every bad field. */
export function parse<T>(
  schema: ZodType<T, z.ZodTypeDef, unknown>,
  value: unknown,
  prefix: string,
): T {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(result.error, prefix);
  return result.data;
}

// The field schemas live with the other request schemas (the OpenAPI document uses them).
export { cents, text, uuid } from './schemas/common';

/** Path ids are UUIDs (returned lower-cased); anything else cannot name a resource. */
export function parseId(value: unknown, notFound: AppError): string {
  const parsed = uuid.safeParse(value);
  if (!parsed.success) throw notFound;
  return parsed.data;
}
