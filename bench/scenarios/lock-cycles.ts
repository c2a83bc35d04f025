import { randomUUID } from 'node:crypto';
import { lockManager } from '../coordinator';
import { total } from '../commands';
import { runGroups, type RunLimits } from '../driver';
import { RawLock } from '../raw-lock';
import { compare, field, figure, type BenchEnv, type Scenario } from '../scenario';
import { lockKey } from '@order-coordinator/lock';
import { describeRun, summary, type RunSummary } from './common';

const CLIENTS = 16;

export interface CycleRep extends RunSummary {
  /** Commands this process sent per cycle (counted client-side: exact). */
  commandsPerCycle: number;
}

/**
 * 4a. The lock alone, uncontended: acquire + release cycles per second of 16 clients on
 * keys of their own, LockManager.withLock (as the coordinator uses it) against the raw
 * SET NX PX + token-checked Lua delete, each on a connection of its own to the same Redis.
 */
export const lockCycles: Scenario = {
  id: 'lock-cycles',
  run: async (env: BenchEnv) => {
    const { ctx } = env;
    const ttlMs = ctx.config.LOCK_TTL_MS;
    const waitMs = ctx.config.LOCK_WAIT_MS;
    const { locks } = lockManager(await ctx.redis('bench-lock-manager'), ctx.logger);
    const raw = new RawLock(await ctx.redis('bench-lock-raw'), ttlMs);
    const run = randomUUID().slice(0, 8);
    const keys = Array.from({ length: CLIENTS }, (_, i) => lockKey(`bench-${run}`, String(i)));
    const noop = async (): Promise<void> => {};
    const side = (name: string, cycle: (key: string) => Promise<void>) => ({
      name,
      describe: (r: CycleRep) =>
        `${describeRun(r, 'cycles/s')}, ${r.commandsPerCycle.toFixed(2)} commands/cycle`,
      run: async (limits: RunLimits): Promise<CycleRep> => {
        env.counter.take();
        const op = (client: number) => cycle(keys[client] ?? '');
        const result = summary((await runGroups([{ name, clients: CLIENTS, op }], limits))[0]);
        const commands = total(env.counter.take());
        return { ...result, commandsPerCycle: commands / Math.max(1, result.ok) };
      },
    });
    const reps = await compare(
      env,
      'lock-cycles',
      side('LockManager', (key) => locks.withLock(key, { ttlMs, waitMs }, noop)),
      side('SET NX PX + Lua delete', (key) => raw.withLock(key, waitMs, noop)),
    );
    await locks.close();
    const { candidate: c, baseline: b } = reps;
    return {
      id: 'lock-cycles',
      title: `4a. The lock alone, uncontended: ${CLIENTS} clients, own keys`,
      candidate: 'LockManager.withLock (fair queue, watchdog)',
      baseline: 'SET NX PX + token-checked Lua delete',
      figures: [
        figure('acquire + release', 'cycles/s', field(c, 'opsPerSec'), field(b, 'opsPerSec')),
        figure('cycle latency p99', 'ms', field(c, 'p99'), field(b, 'p99')),
        figure(
          'commands per cycle (this process)',
          'commands',
          field(c, 'commandsPerCycle'),
          field(b, 'commandsPerCycle'),
        ),
      ],
      reps,
      notes: [],
    };
  },
};
