import { performance } from 'node:perf_hooks';
import type { RequestRecord } from '../types';

/** The history of one run: every recorded request, on one monotonic clock. */
export class Recorder {
  readonly records: RequestRecord[] = [];
  private readonly t0 = performance.now();
  private ids = 0;
  /** Answers that were errors (4xx, 5xx, network), for the progress line. */
  errors = 0;

  /** Milliseconds since the run started, monotonic. */
  now(): number {
    return performance.now() - this.t0;
  }

  nextId(): number {
    return ++this.ids;
  }

  add(record: RequestRecord): void {
    this.records.push(record);
    if (record.outcome !== 'ok') this.errors++;
  }
}
