export const FAULTS = [
  'pause',
  'redis-restart',
  'kill',
  'pg-drop',
  'redis-stall',
  'subscriber-cut',
  'flushall',
  'relay-kill',
  'consumer-kill',
  'webhook-fail',
] as const;
export type FaultName = (typeof FAULTS)[number];

/**
 * Other names of faults: issue 10's `redis-flush` (Redis loses its data while running,
 * so the relay must refill the stream from PostgreSQL) is `flushall`.
 */
export const FAULT_ALIASES: Readonly<Record<string, FaultName>> = { 'redis-flush': 'flushall' };

/** Faults that act on a Redis server: they get a private one unless told otherwise. */
export const REDIS_FAULTS: readonly FaultName[] = [
  'redis-restart',
  'redis-stall',
  'subscriber-cut',
  'flushall',
];

/** One fault injected during the run. */
export interface FaultRecord {
  fault: FaultName;
  /** Milliseconds since the run started. */
  startMs: number;
  endMs: number;
  detail: string;
  /** The order a pause episode was built on. */
  orderId?: string;
  /** A pause episode designed to turn a missing version check into a lost update. */
  designed?: boolean;
}

/** What one injection did; an injection that first waited for its moment gives its own times. */
export type FaultOutcome = Pick<FaultRecord, 'detail' | 'orderId' | 'designed'> &
  Partial<Pick<FaultRecord, 'startMs' | 'endMs'>>;
