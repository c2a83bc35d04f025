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
  'failover',
  'reshard',
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

/**
 * Faults that act on a Redis Cluster (only with --redis-cluster, which runs one of the
 * harness's own): a primary's failover, a slot's move to another primary.
 */
export const CLUSTER_FAULTS: readonly FaultName[] = ['failover', 'reshard'];

/** What `--faults all` means: the cluster faults only on a cluster, the single-Redis ones only without. */
export function allFaults(cluster: boolean): FaultName[] {
  return FAULTS.filter((f) => (cluster ? !REDIS_FAULTS.includes(f) : !CLUSTER_FAULTS.includes(f)));
}

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
