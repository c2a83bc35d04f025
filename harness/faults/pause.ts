import { sleep } from '../../support/time';
import type { FaultOutcome } from './types';
import { placeOrder, readOrder, transition } from '../workload/requests';
import type { KnownOrder, World } from '../workload/world';

export interface PauseSettings {
  /** How long the paused instance blocks; longer than the lock's lease. */
  pauseMs: number;
  lockTtlMs: number;
}

/**
 * One pause episode, built so that a missing version check shows as a lost update every
 * time, not by luck. On a fresh order: instance A takes a transition and blocks inside
 * its critical section (after reading the order, before writing it) for longer than the
 * lock's lease; once the lease has lapsed (LOCK_TTL_MS + 400 ms) a conflicting transition
 * goes to instance B, which gets the lock and commits long before A wakes up. A's write
 * is then stale: with the version check it must be refused; without it, it overwrites
 * B's change (a PAY of an old total, a REPRICE or a PAY after a CANCEL ...).
 *
 * Variants by `(n - 1) % 4`: PAY paused vs REPRICE; REPRICE paused vs PAY of the old total;
 * PAY paused vs the merchant's CANCEL; a paused PAY on an order the workload is using.
 */
export async function pauseEpisode(
  world: World,
  n: number,
  s: PauseSettings,
): Promise<FaultOutcome> {
  const tag = `pause#${n}`;
  const variant = (n - 1) % 4;
  const order = variant === 3 ? pickBusyOrder(world) : await freshOrder(world, tag);
  if (!order) return { detail: `${tag}: no order to pause on` };
  const a = world.port();
  const b = world.otherPort(a);
  const total = order.totalCents;
  const paused = { pauseMs: s.pauseMs, port: a, tag, keyed: world.rng.chance(0.5), retries: 0 };
  const racer = { port: b, tag, retries: 0 };
  const late = sleep(s.lockTtlMs + 400);
  let first: Promise<unknown>;
  let second: () => Promise<unknown>;
  let what: string;
  if (variant === 0 || variant === 3) {
    first = transition(world, order, 'pay', order.buyer, { amountCents: total }, paused);
    second = () =>
      transition(world, order, 'reprice', order.merchant, { totalCents: total + 100 }, racer);
    what = 'PAY paused, REPRICE';
  } else if (variant === 1) {
    first = transition(
      world,
      order,
      'reprice',
      order.merchant,
      { totalCents: total + 100 },
      paused,
    );
    second = () => transition(world, order, 'pay', order.buyer, { amountCents: total }, racer);
    what = 'REPRICE paused, PAY';
  } else {
    first = transition(world, order, 'pay', order.buyer, { amountCents: total }, paused);
    second = () => transition(world, order, 'cancel', order.merchant, { reason: tag }, racer);
    what = 'PAY paused, CANCEL';
  }
  await late;
  await Promise.all([first, second()]);
  order.reserved = false;
  return {
    detail: `${tag}: ${what} on ${order.id} (:${a} paused ${s.pauseMs} ms, :${b} after ${s.lockTtlMs + 400} ms)`,
    orderId: order.id,
    designed: variant !== 3,
  };
}

/** A new order of its own, read once so its total is known; reserved for the episode. */
async function freshOrder(world: World, tag: string): Promise<KnownOrder | undefined> {
  const product = world.rng.pick(world.products);
  const { order } = await placeOrder(
    world,
    world.rng.pick(world.buyers),
    [{ product, quantity: 1 }],
    {
      keyed: true,
      tag,
      reserved: true,
    },
  );
  if (!order) return undefined;
  await readOrder(world, order, order.buyer);
  return order;
}

function pickBusyOrder(world: World): KnownOrder | undefined {
  const pending = world.activeOrders().filter((o) => o.status === 'pending_payment');
  return pending.length > 0 ? world.rng.pick(pending) : undefined;
}
