import { z, type ZodType } from 'zod';
import { AppError } from '../errors';

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

/**
 * A UUID in its canonical lower-case form: `A1B2...` and `a1b2...` name one resource, one
 * lock key and one row, so ids are normalised here, at the edge, before anything uses them.
 */
export const uuid = z
  .string()
  .uuid()
  .transform((id) => id.toLowerCase());
/** Minor units: a whole number, at most 2^53 - 1. */
export const cents = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const text = (max: number) => z.string().min(1).max(max);

/** Path ids are UUIDs (returned lower-cased); anything else cannot name a resource. */
export function parseId(value: unknown, notFound: AppError): string {
  const parsed = uuid.safeParse(value);
  if (!parsed.success) throw notFound;
  return parsed.data;
}
