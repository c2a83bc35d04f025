import { sleep } from '../../support/time';
import type { ApiInstance } from '../procs/instances';
import type { SaleProbe } from '../types';
import { placeOrder, transition } from '../workload/requests';
import { createProduct } from '../workload/setup';
import type { World } from '../workload/world';
import { probeSale, probeText, stockLeft, type ProbeContext } from './probe';
import { gateTakeSeen, type RedisTarget } from './redis-control';

/**
 * SIGKILLs `victim`, leaves it down 0.1-1 s and starts it again on the same port.
 * `killed` runs right after the SIGKILL. @returns how long it was down (ms, before start-up).
 */
export async function killAndRestart(
  world: World,
  victim: ApiInstance,
  killed?: () => void,
): Promise<number> {
  await victim.kill();
  killed?.();
  const downMs = world.rng.int(100, 1000);
  await sleep(downMs);
  await victim.start();
  return downMs;
}

/** The kill episodes, by `n % 3`: between the gate and the database, in a paused PAY, plain. */
export type KillVariant = 'gate' | 'pay' | 'plain';

export function killVariant(n: number): KillVariant {
  return n % 3 === 1 ? 'gate' : n % 3 === 2 ? 'pay' : 'plain';
}

export interface KillContext extends ProbeContext {
  instances: readonly ApiInstance[];
  /** The Redis the instances use (only read here). */
  redisTarget: RedisTarget;
  pauseMs: number;
  /** Keeps a request the episode does not wait for (its answer is a reset). */
  stray(request: Promise<unknown>): void;
}

/**
 * SIGKILLs a running instance and starts it again on the same port. Variants: `gate`
 * sends it a new order for every unit of a new product (limit = units) that blocks its
 * process between the stock gate's take and the order's transaction, so the gate keeps
 * units PostgreSQL never got; then another buyer orders one unit until a 201, measured
 * from the SIGKILL (the gate's reconciler must repair it). `pay`: a PAY paused inside its
 * critical section. `plain`: whatever the instance had in flight.
 */
export async function killEpisode(
  ctx: KillContext,
  n: number,
): Promise<{ detail: string; probe?: SaleProbe }> {
  const { world } = ctx;
  const tag = `kill#${n}`;
  const up = ctx.instances.filter((i) => i.running);
  if (up.length === 0) return { detail: `${tag}: no instance running` };
  const victim = world.rng.pick(up);
  const variant = killVariant(n);
  let how = 'with whatever it had in flight';
  let gated: (() => Promise<SaleProbe | undefined>) | undefined;
  if (variant === 'gate') {
    const units = world.rng.int(1, 3);
    const merchant = world.rng.pick(world.merchants);
    const product = await createProduct(world, merchant, units, 1000, tag, {
      perBuyerLimit: units,
    });
    const buyer = world.rng.pick(world.buyers);
    const others = world.buyers.filter((b) => b.id !== buyer.id);
    const prober = others.length > 0 ? world.rng.pick(others) : buyer;
    const line = [{ product, quantity: units }];
    ctx.stray(placeOrder(world, buyer, line, { port: victim.port, pauseMs: ctx.pauseMs, tag }));
    // The instance blocks right after the gate's take: kill it once Redis shows the take.
    const at = { merchantId: merchant.id, productId: product.id, stock: units, units };
    const seen = await gateTakeSeen(ctx.redisTarget, at, ctx.pauseMs - 500).catch(() => false);
    how = `${seen ? 'between the stock gate and the transaction' : 'before the gate took anything (not seen in time)'} of an order for ${units} units of ${product.id}`;
    gated = async () => {
      const killedMs = ctx.recorder.now();
      // Left 0 when the order went through before the kill (the gate was skipped).
      if ((await stockLeft(ctx.db, product.id)) === 0) return undefined;
      return probeSale(ctx, tag, { target: 'killed-order', product, buyer: prober }, killedMs);
    };
  } else if (variant === 'pay') {
    const pending = world.activeOrders().filter((o) => o.status === 'pending_payment');
    if (pending.length > 0) {
      const order = world.rng.pick(pending);
      const body = { amountCents: order.totalCents };
      ctx.stray(
        transition(world, order, 'pay', order.buyer, body, {
          port: victim.port,
          pauseMs: ctx.pauseMs,
          tag,
          retries: 0,
        }),
      );
      await sleep(250);
      how = `inside the critical section of a paused PAY on ${order.id}`;
    }
  }
  let probing: Promise<SaleProbe | undefined> | undefined;
  const downMs = await killAndRestart(world, victim, () => {
    probing = gated?.();
  });
  const probe = await probing;
  const sold = probe ? `; ${probeText(probe)}` : gated ? '; the order went through' : '';
  return {
    detail: `${tag}: SIGKILL :${victim.port} ${how}; ready again after ${downMs} ms + start-up${sold}`,
    ...(probe ? { probe } : {}),
  };
}
