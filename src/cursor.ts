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
  /**
   * A page of at most `limit` rows out of `rows`, read with `limit + 1`: the extra row
   * only says that there is a next page, whose cursor is the page's last id.
   */
  page: <T extends { id: string }>(
    rows: T[],
    limit: number,
  ) => { items: T[]; nextCursor: string | null };
} {
  const pattern = new RegExp(`^${tag}:(${UUID})$`);
  const encode = (id: string): string => Buffer.from(`${tag}:${id}`).toString('base64url');
  return {
    encode,
    decode: (cursor) => pattern.exec(Buffer.from(cursor, 'base64url').toString())?.[1],
    page: (rows, limit) => {
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encode(last.id) : null };
    },
  };
}
