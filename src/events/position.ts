/**
 * A place in the events feed: the writing transaction's id and the event's number, in
 * that order. Its text form `<txid>-<id>` is the event's global `id`, the SSE `id:` and
 * the event's Redis stream entry id (Redis orders `<ms>-<seq>` ids the same way), so
 * each of them sorts and resumes like the feed.
 */
export interface Position {
  txid: bigint;
  id: bigint;
}

/** Before every event. */
export const START: Position = { txid: 0n, id: 0n };

const FORM = /^(\d{1,20})-(\d{1,20})$/;
const MAX = 2n ** 64n - 1n;

export function formatPosition(p: Position): string {
  return `${p.txid}-${p.id}`;
}

/** @returns the position, or undefined when `text` is not `<txid>-<id>` within 64 bits. */
export function parsePosition(text: string): Position | undefined {
  const match = FORM.exec(text);
  if (!match?.[1] || !match[2]) return undefined;
  const p = { txid: BigInt(match[1]), id: BigInt(match[2]) };
  return p.txid <= MAX && p.id <= MAX ? p : undefined;
}

/** Negative, zero or positive as `a` comes before, at or after `b`. */
export function comparePositions(a: Position, b: Position): number {
  if (a.txid !== b.txid) return a.txid < b.txid ? -1 : 1;
  return a.id === b.id ? 0 : a.id < b.id ? -1 : 1;
}
