import type { ApiInstance } from '../procs/instances';
import type { WebhookReceiver } from '../webhooks/receiver';
import { pollUntil, sleep } from '../../support/time';
import type { World } from '../workload/world';
import { killAndRestart } from './kill';
import { withAdmin, type RedisTarget } from './redis-control';

export interface EventsFaultContext {
  world: World;
  instances: readonly ApiInstance[];
  /** The Redis the instances use (only read here) and their events stream's key. */
  redisTarget: RedisTarget;
  eventsStream: string;
  receiver: WebhookReceiver;
  /** The instances' webhook time-out: a hanging answer waits longer. */
  webhookTimeoutMs: number;
}

/**
 * `relay-kill`: SIGKILLs the instance whose relay is the active one (the holder of the
 * relay's job lock, whose token does not name its instance): the one whose
 * `events_relay_published_total` grows over 0.3 s. With no event published then, a
 * random instance (whose relay may be the standby). Another relay must take over
 * within its lease and publish nothing twice, nothing less.
 */
export async function relayKill(ctx: EventsFaultContext, n: number): Promise<string> {
  const up = ctx.instances.filter((i) => i.running);
  if (up.length === 0) return `relay-kill#${n}: no instance running`;
  let active: ApiInstance | undefined;
  for (let tries = 0; tries < 5 && !active; tries++) {
    const before = await Promise.all(up.map(published));
    await sleep(300);
    const after = await Promise.all(up.map(published));
    active = up.find((_, i) => (after[i] ?? 0) > (before[i] ?? 0));
  }
  const victim = active ?? ctx.world.rng.pick(up);
  const downMs = await killAndRestart(ctx.world, victim);
  const which = active ? 'the active relay' : 'an instance (no relay published in 1.5 s)';
  return `relay-kill#${n}: SIGKILL :${victim.port}, ${which}; ready again after ${downMs} ms + start-up`;
}

/** The instance's count of events its relay published (0 when it does not answer). */
async function published(instance: ApiInstance): Promise<number> {
  try {
    const res = await fetch(`http://127.0.0.1:${instance.port}/metrics`, {
      signal: AbortSignal.timeout(1000),
    });
    const text = await res.text();
    const line = /^events_relay_published_total\{outcome="published"\} (\d+)/m.exec(text);
    return Number(line?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * `consumer-kill`: SIGKILLs an instance while one of its consumers holds a stream entry
 * it has read and not acknowledged (`XPENDING` of the gifts or webhooks group names a
 * consumer of that instance, `<host>:<port>:...`): mid-handler, or between its commit and
 * its `XACK`. Another consumer must claim the entry and apply it once. Looks for 2 s,
 * then kills a random instance.
 */
export async function consumerKill(ctx: EventsFaultContext, n: number): Promise<string> {
  const up = ctx.instances.filter((i) => i.running);
  if (up.length === 0) return `consumer-kill#${n}: no instance running`;
  let found: { instance: ApiInstance; group: string; pending: number } | undefined;
  await withAdmin(ctx.redisTarget, (admin) =>
    pollUntil(
      async () => {
        const groups = (await admin
          .xinfo('GROUPS', ctx.eventsStream)
          .catch(() => [])) as unknown[][];
        for (const g of groups) {
          const name = String(g[g.indexOf('name') + 1]);
          const pending = (await admin
            .xpending(ctx.eventsStream, name, '-', '+', 50)
            .catch(() => [])) as [string, string, number, number][];
          for (const instance of up) {
            const mine = pending.filter((p) => p[1].includes(`:${instance.port}:`)).length;
            if (mine > 0) found = { instance, group: name, pending: mine };
          }
        }
        return found !== undefined;
      },
      2000,
      10,
    ),
  ).catch(() => false);
  const victim = found?.instance ?? ctx.world.rng.pick(up);
  const downMs = await killAndRestart(ctx.world, victim);
  const how = found
    ? `holding ${found.pending} unacknowledged ${found.group} entries`
    : 'with no entry pending in 2 s';
  return `consumer-kill#${n}: SIGKILL :${victim.port} ${how}; ready again after ${downMs} ms + start-up`;
}

/**
 * `webhook-fail`: for 1.5-4 s the receiver answers 500, and a third of the deliveries
 * hang past the senders' time-out (then get a 204 nobody waits for). Every event must
 * still arrive, same `webhook-id`, per order in order.
 */
export function webhookFail(ctx: EventsFaultContext, n: number): Promise<string> {
  const ms = ctx.world.rng.int(1500, 4000);
  const hangMs = ctx.webhookTimeoutMs + 500;
  ctx.receiver.fail(ms, hangMs, 0.33);
  return sleep(ms).then(
    () => `webhook-fail#${n}: 500 or a hang of ${hangMs} ms to every delivery for ${ms} ms`,
  );
}
