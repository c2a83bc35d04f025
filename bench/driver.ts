import { performance } from 'node:perf_hooks';
import { spreadOf, type Spread } from './stats';

/** One kind of client: `clients` loops that each call `op` back to back (a closed loop). */
export interface ClientGroup {
  name: string;
  clients: number;
  /** One operation of client `client` (0-based), its `n`-th (0-based). */
  op: (client: number, n: number) => Promise<void>;
}

/** What one group did in one run. */
export interface GroupRun extends Spread {
  name: string;
  ok: number;
  failed: number;
  /** Failures by error code (AppError code, else the error's name). */
  errors: Record<string, number>;
  /** Successful operations per second of the run's wall time. */
  opsPerSec: number;
  /** Fewest and most successful operations of one client: equal shares mean fair service. */
  perClientMin: number;
  perClientMax: number;
  elapsedMs: number;
  /** CPU time (user + system) of this whole process per successful operation, in ms. */
  cpuMsPerOp: number;
  /** Latencies (ms) of the successful operations; dropped before results are written. */
  latencies: number[];
}

export interface RunLimits {
  /** Stop starting operations after this long (ms). */
  durationMs: number;
  /** Stop starting operations once this many (all groups together) have started. */
  maxOps: number;
}

/**
 * Runs every group at once until the time or the count limit (both always bounded) and
 * waits for the operations in flight to end. Failures are counted, never thrown.
 */
export async function runGroups(groups: ClientGroup[], limits: RunLimits): Promise<GroupRun[]> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const deadline = started + limits.durationMs;
  let begun = 0;
  const runs = groups.map(async (group): Promise<GroupRun> => {
    const latencies: number[] = [];
    const errors: Record<string, number> = {};
    const perClient = new Array<number>(group.clients).fill(0);
    let failed = 0;
    const loop = async (client: number): Promise<void> => {
      for (let n = 0; performance.now() < deadline && begun < limits.maxOps; n++) {
        begun++;
        const t0 = performance.now();
        try {
          await group.op(client, n);
          latencies.push(performance.now() - t0);
          perClient[client] = (perClient[client] ?? 0) + 1;
        } catch (error) {
          failed++;
          const code = errorCode(error);
          errors[code] = (errors[code] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: group.clients }, (_, i) => loop(i)));
    const elapsedMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    return {
      name: group.name,
      ok: latencies.length,
      failed,
      errors,
      opsPerSec: latencies.length / (elapsedMs / 1000),
      ...spreadOf(latencies),
      perClientMin: Math.min(...perClient),
      perClientMax: Math.max(...perClient),
      elapsedMs,
      cpuMsPerOp: (used.user + used.system) / 1000 / Math.max(1, latencies.length),
      latencies,
    };
  });
  return Promise.all(runs);
}

/** A short, stable name for a failure: an AppError's or LockError's code, else its class. */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code: unknown = (error as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (error instanceof Error) return error.name;
  }
  return 'unknown';
}
