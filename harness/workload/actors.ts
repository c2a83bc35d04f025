import type { Identity } from '../http/tokens';
import type { Action } from '../types';
import { placeOrder, readOrder, transition, type TransitionOptions } from './requests';
import type { KnownOrder, World } from './world';

/** Tells the loops when to stop: a number of requests or a deadline, whichever is first. */
export interface Budget {
  open(): boolean;
}

/** One virtual client: buyers and merchants take turns through the same loop. */
export async function actorLoop(world: World, budget: Budget): Promise<void> {
  while (budget.open()) {
    await step(world);
  }
}

async function step(world: World): Promise<void> {
  const { rng } = world;
  const active = world.activeOrders();
  if (active.length < world.targetActive || rng.chance(0.08)) {
    await createRandomOrder(world);
    return;
  }
  if (rng.chance(0.04)) {
    // Doomed or plain reads on any order, final ones included.
    const any = world.anyOrder();
    if (any) await readOrder(world, any, rng.chance(0.5) ? any.buyer : any.merchant);
    return;
  }
  const order = rng.pick(active);
  if (rng.chance(0.08)) {
    await race(world, order);
    return;
  }
  switch (order.status) {
    case 'pending_payment':
      return pending(world, order);
    case 'paid':
      return rng.chance(0.7)
        ? act(world, order, 'ship', {})
        : act(world, order, 'refund', { reason: 'harness' });
    case 'shipped':
      return act(world, order, 'deliver', {});
    default:
      await readOrder(world, order, order.merchant);
  }
}

async function createRandomOrder(world: World): Promise<void> {
  const { rng } = world;
  const merchant = rng.pick(world.merchants);
  const mine = world.products.filter((p) => p.merchant.id === merchant.id);
  const lines = mine
    .filter(() => rng.chance(0.5))
    .slice(0, 3)
    .map((product) => ({ product, quantity: rng.int(1, 3) }));
  if (lines.length === 0 && mine[0]) lines.push({ product: rng.pick(mine), quantity: 1 });
  await placeOrder(world, rng.pick(world.buyers), lines, {
    keyed: rng.chance(0.5),
    abandoned: rng.chance(0.2),
  });
}

async function pending(world: World, order: KnownOrder): Promise<void> {
  const { rng } = world;
  const choice = rng.weighted({
    pay: order.abandoned ? 0 : 6,
    reprice: 3,
    buyerCancel: order.abandoned ? 0 : 0.6,
    merchantCancel: 0.4,
    read: 1,
  });
  if (choice === 'pay') return pay(world, order);
  if (choice === 'reprice') return reprice(world, order);
  if (choice === 'read') {
    await readOrder(world, order, order.buyer);
    return;
  }
  const actor = choice === 'buyerCancel' ? order.buyer : order.merchant;
  await transition(world, order, 'cancel', actor, { reason: 'harness' }, options(world));
}

/** The buyer reads the order and pays the total it read. */
async function pay(world: World, order: KnownOrder): Promise<void> {
  const read = await readOrder(world, order, order.buyer);
  if (read.outcome !== 'ok' || !read.order || read.order.status !== 'pending_payment') return;
  await transition(
    world,
    order,
    'pay',
    order.buyer,
    { amountCents: read.order.totalCents },
    options(world, read.order.version),
  );
}

/** The merchant reads the order and sets a new total. */
async function reprice(world: World, order: KnownOrder): Promise<void> {
  const read = await readOrder(world, order, order.merchant);
  if (read.outcome !== 'ok' || !read.order || read.order.status !== 'pending_payment') return;
  const totalCents = Math.max(1, read.order.totalCents + world.rng.int(-300, 300));
  await transition(
    world,
    order,
    'reprice',
    order.merchant,
    { totalCents, reason: 'harness' },
    options(world, read.order.version),
  );
}

async function act(
  world: World,
  order: KnownOrder,
  action: Action,
  body: Record<string, unknown>,
): Promise<void> {
  const actor = action === 'pay' ? order.buyer : order.merchant;
  await transition(world, order, action, actor, body, options(world, order.version));
}

/** Two different transitions on one order at once, to two instances. */
async function race(world: World, order: KnownOrder): Promise<void> {
  const { rng } = world;
  const port = world.port();
  const other = world.otherPort(port);
  const pairs: [Action, Identity, Record<string, unknown>][] =
    order.status === 'pending_payment'
      ? [
          ['pay', order.buyer, { amountCents: order.totalCents }],
          ['reprice', order.merchant, { totalCents: order.totalCents + rng.int(1, 50) }],
          ['cancel', rng.chance(0.5) ? order.buyer : order.merchant, {}],
        ]
      : [
          ['ship', order.merchant, { trackingNumber: `T${rng.token(8)}` }],
          ['refund', order.merchant, {}],
          ['deliver', order.merchant, {}],
        ];
  const a = rng.pick(pairs);
  const b = rng.pick(pairs);
  await Promise.all([
    transition(world, order, a[0], a[1], a[2], { ...options(world), port, tag: 'race' }),
    transition(world, order, b[0], b[1], b[2], { ...options(world), port: other, tag: 'race' }),
  ]);
}

/** Random client habits: If-Match half the time, keys mostly, sometimes duplicates. */
function options(world: World, version?: number): TransitionOptions {
  const { rng } = world;
  const keyed = rng.chance(0.7);
  return {
    ...(version !== undefined && rng.chance(0.5) ? { ifMatch: version } : {}),
    keyed,
    mode: !keyed ? 'single' : rng.weighted({ single: 8, 'dup-after': 1.5, 'concurrent-dup': 1 }),
  };
}
