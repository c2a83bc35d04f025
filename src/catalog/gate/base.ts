import type { RedisClient } from '../../redis';
import type { Db } from '../../db/knex';
import type { Logger } from '../../logger';
import { fillGate, readFills, type GateKind } from './fill';
import { noGateMetrics, type GateMetrics } from './metrics';
import { defineGateScripts } from './scripts';

/** A gate's answer: passed on to PostgreSQL, refused with a reason, or no answer (fail open). */
export type GateAnswer<R> =
  { kind: 'taken' } | { kind: 'refused'; refusal: R } | { kind: 'skipped' };

/** What a gate's script said: as the answer, or a MISS naming the things without state. */
type Attempt<R> =
  Exclude<GateAnswer<R>, { kind: 'skipped' }> | { kind: 'miss'; ids: readonly string[] };

export interface GateOptions {
  /** Deadline of one Redis call in ms (REDIS_COMMAND_TIMEOUT_MS). */
  timeoutMs: number;
  logger?: Logger;
  metrics?: GateMetrics;
}

/**
 * What every Redis gate in front of PostgreSQL shares (the stock gate, the coupon
 * gate): the scripts, a rebuild from PostgreSQL after a MISS that concurrent requests
 * of one process share, the fail-open answer and a log that a Redis outage cannot flood.
 * PostgreSQL stays the record of truth: a gate only answers the losers early.
 */
export abstract class GateBase {
  private lastWarnAt = -Infinity;
  /** Rebuilds under way in this process, by their things' ids. */
  private readonly rebuilding = new Map<string, Promise<void>>();
  protected readonly metrics: GateMetrics;

  constructor(
    readonly redis: RedisClient,
    readonly db: Db,
    readonly options: GateOptions,
    /** What this gate keeps and how it is read from PostgreSQL (the reconciler's too). */
    readonly kind: GateKind,
  ) {
    this.metrics = options.metrics ?? noGateMetrics;
    defineGateScripts(redis);
  }

  /**
   * One request at the gate: `attempt` runs the gate's script; things it finds without
   * state are rebuilt from PostgreSQL and the script retried once. Never throws, and
   * waits at most a few Redis deadlines.
   * @returns what the script decided, or skipped (Redis is not connected, failed or
   *   timed out; the state is still missing): PostgreSQL then decides alone.
   */
  protected async decide<R>(
    attempt: () => Promise<Attempt<R>>,
    undo: () => Promise<void>,
  ): Promise<GateAnswer<R>> {
    if (this.redis.status !== 'ready') return this.skipped(undefined);
    try {
      let outcome = await attempt();
      if (outcome.kind === 'miss') {
        await this.rebuild(outcome.ids);
        outcome = await attempt();
      }
      if (outcome.kind === 'miss') return this.skipped(new Error('gate state still missing'));
      this.metrics.decided(outcome.kind);
      return outcome;
    } catch (error) {
      // A script that timed out (here or in ioredis) may still run later: undo it. The
      // undo runs after it on the same connection and undoes only what it did.
      void undo();
      return this.skipped(error);
    }
  }

  /**
   * Writes the state of things that have none, as PostgreSQL has it now. Requests that
   * miss the same things at once (the first seconds of a sale, a flushed Redis) share
   * one rebuild per process instead of one read each.
   */
  protected async rebuild(ids: readonly string[]): Promise<void> {
    const key = [...ids].sort().join(',');
    let pending = this.rebuilding.get(key);
    if (!pending) {
      pending = this.fill(ids).finally(() => this.rebuilding.delete(key));
      this.rebuilding.set(key, pending);
    }
    await pending;
  }

  private async fill(ids: readonly string[]): Promise<void> {
    const { timeoutMs } = this.options;
    for (const fill of await readFills(this.kind, this.redis, this.db, ids, timeoutMs))
      await fillGate(this.redis, fill, 'missing', timeoutMs);
  }

  /** The fail-open answer: counted, logged (rarely), and PostgreSQL decides alone. */
  private skipped(error: unknown): { kind: 'skipped' } {
    this.metrics.decided('skipped');
    this.warn(error, {}, `${this.kind.name} unavailable: PostgreSQL decides alone`);
    return { kind: 'skipped' };
  }

  /** Warns at most once per 5 s: a Redis outage must not flood the log. */
  protected warn(error: unknown, fields: Record<string, unknown>, message: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < 5000) return;
    this.lastWarnAt = now;
    const err = error instanceof Error ? error.message : error;
    this.options.logger?.warn({ ...fields, err, redis: this.redis.status }, message);
  }
}
