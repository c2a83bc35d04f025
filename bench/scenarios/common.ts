import type { GroupRun } from '../driver';
import { fmt } from '../scenario';
import { spreadOf, type Spread } from '../stats';

/** A group's run as results keep it: the latency samples dropped. */
export type RunSummary = Omit<GroupRun, 'latencies'>;

export function summary(run: GroupRun | undefined): RunSummary {
  if (run === undefined) throw new Error('a client group did not report');
  const { latencies, ...kept } = run;
  void latencies;
  return kept;
}

/** A transition total that alternates, so that every REPRICE changes the order. */
export const totalFor = (n: number): number => 1000 + (n % 2) * 100;

/** Collects the waits (ms) one run reports; `spread()` summarises them. */
export class WaitLog {
  private waits: number[] = [];
  readonly sink = (ms: number): void => {
    this.waits.push(ms);
  };
  reset(): void {
    this.waits = [];
  }
  spread(): Spread {
    return spreadOf(this.waits);
  }
}

export function describeRun(run: RunSummary, unit = 'tx/s'): string {
  const failed = run.failed > 0 ? `, ${run.failed} failed ${JSON.stringify(run.errors)}` : '';
  return `${run.opsPerSec.toFixed(0)} ${unit}, p50 ${fmt(run.p50)} ms, p99 ${fmt(run.p99)} ms${failed}`;
}
