export const FAULTS = ['pause', 'redis-restart', 'kill', 'pg-drop'] as const;
export type FaultName = (typeof FAULTS)[number];

/** One fault injected during the run. */
export interface FaultRecord {
  fault: FaultName;
  /** Milliseconds since the run started. */
  startMs: number;
  endMs: number;
  detail: string;
}
