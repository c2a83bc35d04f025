import { performance } from 'node:perf_hooks';
import type { Db } from '../src/db/knex';

/** A settled reading of the database's transaction counter. */
export interface XactReading {
  /** `xact_commit + xact_rollback` of the database (every backend, every client). */
  count: number;
  /** performance.now() of the reading (ms). */
  atMs: number;
  /** How many readings this counter had made before this one. */
  reads: number;
  /** How many transactions of this process `own()` had counted before it. */
  own: number;
}

/**
 * A backend adds its transactions to `pg_stat_database` when it goes idle, at most once
 * a second (PostgreSQL 15+: PGSTAT_MIN_INTERVAL 1 s; `pg_stat_force_next_flush()` acts
 * on the caller's backend only). When many backends go idle at once, those that find
 * the shared entry locked try again 10 s later (PGSTAT_IDLE_INTERVAL): measured here, a
 * few percent of a sale's transactions arrived 9 to 10 s after its last answer.
 */
export const FLUSH_MS = { min: 1100, idle: 10_500 };
/** Readings FLUSH_MS.min apart that differ by at most this are taken as settled. */
const SETTLED = 2;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Counts the PostgreSQL transactions of the database `db` is connected to, as
 * `pg_stat_database` reports them. Each reading is itself one transaction of that
 * database: `between()` takes them out.
 */
export class XactCounter {
  private reads = 0;
  private owned = 0;

  /**
   * `settleMs`: how long `settled()` waits before it polls (see FLUSH_MS); `maxPolls`:
   * its readings at most (instances that poll PostgreSQL in the background, such as the
   * webhook sender every 100 ms, never let two readings agree).
   */
  constructor(
    private readonly db: Db,
    private readonly settleMs: number,
    private readonly maxPolls = 8,
  ) {}

  /** Counts `n` transactions this process ran on the database (taken out by `between`). */
  own(n = 1): void {
    this.owned += n;
  }

  /** The counter now (possibly without the last second's transactions). */
  async read(): Promise<XactReading> {
    const { rows } = await this.db.raw<{ rows: { n: string }[] }>(
      `select xact_commit + xact_rollback as n from pg_stat_database
       where datname = current_database()`,
    );
    const count = Number(rows[0]?.n ?? 0);
    return { count, atMs: performance.now(), reads: this.reads++, own: this.owned };
  }

  /**
   * Waits until every backend has reported: `settleMs`, then readings a second apart
   * until two differ by at most 2 (its own reading, a background job's), at most `maxPolls`.
   */
  async settled(): Promise<XactReading> {
    await sleep(this.settleMs);
    let last = await this.read();
    for (let i = 1; i < this.maxPolls; i++) {
      await sleep(FLUSH_MS.min);
      const now = await this.read();
      const moved = now.count - last.count;
      last = now;
      if (moved <= SETTLED) break;
    }
    return last;
  }

  /** Transactions between two readings, the counter's readings and `own()` taken out. */
  static between(from: XactReading, to: XactReading): number {
    return to.count - from.count - (to.reads - from.reads) - (to.own - from.own);
  }
}
