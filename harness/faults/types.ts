export const FAULTS = [
  'pause',
  'redis-restart',
  'kill',
  'pg-drop',
  'redis-stall',
  'subscriber-cut',
] as const;
export type FaultName = (typeof FAULTS)[number];

/** Faults that act on a Redis server: they get a private one unless told otherwise. */
export const REDIS_FAULTS: readonly FaultName[] = [
  'redis-restart',
  'redis-stall',
  'subscriber-cut',
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

/** What one injection did. */
export type FaultOutcome = Pick<FaultRecord, 'detail' | 'orderId' | 'designed'>;
