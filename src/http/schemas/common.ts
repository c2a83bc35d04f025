import { z } from './zod';

/**
 * A resource id in a request (body field or path), in its canonical lower-case form:
 * `A1B2...` and `a1b2...` name one resource, one lock key and one row, so ids are
 * normalised here, at the edge, before anything uses them.
 */
export const uuid = z
  .string()
  .uuid()
  .transform((value) => value.toLowerCase());

/** A resource id in a response: always a lower-case UUID made by the server. */
export const id = z.string().uuid();

/** Minor units: a whole number, at most 2^53 - 1. */
export const cents = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** Free text of 1 to `max` characters. */
export const text = (max: number) => z.string().min(1).max(max);

/** ISO 4217 currency code. */
export const currency = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be a 3-letter ISO 4217 code')
  .openapi({ example: 'USD' });

/** A time in a response: ISO 8601 UTC with milliseconds (`Date#toISOString`). */
export const timestamp = z.string().datetime().openapi({ example: '2026-11-23T05:00:00.000Z' });

/** The order's version: 1 at creation, +1 for each transition. */
export const version = z.number().int().min(1);

/**
 * The `cursor` query parameter of a list: an earlier page's `nextCursor`, decoded by
 * `decode`; one this API did not hand out is 400 validation_failed.
 */
export function cursorParam<T>(decode: (cursor: string) => T | undefined) {
  return z
    .string()
    .max(200)
    .transform((cursor, ctx): T => {
      const after = decode(cursor);
      if (after === undefined) {
        ctx.addIssue({ code: 'custom', message: 'is not a cursor this API returned' });
        return z.NEVER;
      }
      return after;
    })
    .openapi({ description: "An earlier page's `nextCursor`." })
    .optional();
}

/**
 * An `If-Match` value: `*`, or the versions named by its strong ETags (`"3", "4"`); a weak
 * ETag (`W/"3"`) is well-formed but never matches (strong comparison), so it names none.
 * @returns undefined when the value is not well-formed.
 */
export function ifMatchVersions(value: string): '*' | number[] | undefined {
  if (value.trim() === '*') return '*';
  const versions: number[] = [];
  for (const tag of value.split(',').map((t) => t.trim())) {
    const match = /^(W\/)?"(\d{1,9})"$/.exec(tag);
    if (!match?.[2]) return undefined;
    if (!match[1]) versions.push(Number(match[2]));
  }
  return versions;
}
