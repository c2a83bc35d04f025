export const FAULTS = ['pause', 'redis-restart', 'kill', 'pg-drop'] as const;
export type FaultName = (typeof FAULTS)[number];

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
