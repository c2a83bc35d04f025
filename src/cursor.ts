const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * Cursors of a keyset-paginated list, opaque to clients: the last row's id with the
 * list's own tag (`o` orders, `p` products), base64url-encoded, so that a cursor of one
 * list is refused by another.
 */
export function idCursor(tag: string): {
  encode: (id: string) => string;
  /** @returns the id, or undefined when the cursor was not made by `encode`. */
  decode: (cursor: string) => string | undefined;
} {
  const pattern = new RegExp(`^${tag}:(${UUID})$`);
  return {
    encode: (id) => Buffer.from(`${tag}:${id}`).toString('base64url'),
    decode: (cursor) => pattern.exec(Buffer.from(cursor, 'base64url').toString())?.[1],
  };
}
