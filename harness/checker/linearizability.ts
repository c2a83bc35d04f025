import { isAction, type RequestRecord, type Violation } from '../types';
import type { OrderCase } from './case';
import { versionOf } from './operations';

interface Point {
  r: RequestRecord;
  version: number;
  sentMs: number;
  recvMs: number;
  /** A transition (or the creation) that made the version, not a read of it. */
  write: boolean;
}

/**
 * Guarantee 7, per order: if a successful transition's response arrived before another
 * successful transition was sent, the first has the lower version. Reads are held to the
 * same real-time order: a read sent after a write's response shows at least its version,
 * and a write sent after a read's response makes a higher version than the read showed.
 * Replayed responses repeat an old answer and are left out; unknown outcomes too.
 */
export function checkLinearizable(c: OrderCase): Violation[] {
  const points: Point[] = [];
  for (const r of c.requests) {
    const version = versionOf(r);
    if (r.outcome !== 'ok' || r.replayed || r.recvMs === undefined || version === undefined)
      continue;
    const write = isAction(r.kind) || r.kind === 'create-order';
    if (!write && r.kind !== 'get-order') continue;
    points.push({ r, version, sentMs: r.sentMs, recvMs: r.recvMs, write });
  }
  const byRecv = [...points].sort((a, b) => a.recvMs - b.recvMs);
  const bySent = [...points].sort((a, b) => a.sentMs - b.sentMs);
  let i = 0;
  let lastWrite: Point | undefined;
  let lastRead: Point | undefined;
  const out: Violation[] = [];
  for (const b of bySent) {
    for (; i < byRecv.length && byRecv[i]!.recvMs < b.sentMs; i++) {
      const a = byRecv[i]!;
      if (a.write && (!lastWrite || a.version > lastWrite.version)) lastWrite = a;
      if (!a.write && (!lastRead || a.version > lastRead.version)) lastRead = a;
    }
    for (const a of [lastWrite, lastRead]) {
      if (!a) continue;
      // A write must move past everything seen before it; a read must not go back.
      const broken = b.write ? b.version <= a.version : b.version < a.version;
      if (!broken) continue;
      out.push({
        guarantee: 7,
        kind: b.write && a.write ? 'write-order' : 'stale-read',
        orderId: c.order.id,
        message: `${label(a)} was answered with version ${a.version} at +${a.recvMs.toFixed(1)} ms, then ${label(b)} sent at +${b.sentMs.toFixed(1)} ms got version ${b.version}`,
        requestIds: [a.r.id, b.r.id],
      });
    }
  }
  return out;
}

function label(p: Point): string {
  return `#${p.r.id} ${p.r.kind}`;
}
