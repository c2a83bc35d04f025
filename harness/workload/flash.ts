import type { Knex } from 'knex';
import { sleep } from '../../support/time';
import type { Identity } from '../http/tokens';
import type { FlashObservation, RequestRecord } from '../types';
import { asNumber } from '../util/json';
import { placeOrder } from './requests';
import { createProduct } from './setup';
import type { Product, World } from './world';

/** One order of a round: who, how many, where, and whether it goes before the start. */
interface Shot {
  buyer: Identity;
  quantity: number;
  port?: number;
  early: boolean;
}

/** A round's product settings and its orders. */
interface Plan {
  perBuyerLimit?: number;
  /** Unix epoch ms. */
  saleStartsAt?: number;
  shots: Shot[];
  buyers: Identity[];
}

/**
 * A flash sale on a new product with `stock` units. Every third round is the plain kind:
 * `buyers` buyers order one unit each, all at once, to random instances. The others have
 * a per-buyer limit (1-3) and a sale start 0.4-1 s ahead: 2-4 orders go before the start
 * (they must get `sale_not_started`), then `buyers` orders from 4-6 buyers at once, just
 * before or at the start, each buyer's orders spread over the instances (so every buyer
 * asks for more than its limit on several instances), some of 2 to limit + 1 units. Right
 * after the last answer it reads the product's stock and its orders from the database;
 * then the orders join the workload.
 */
export async function flashSale(
  world: World,
  db: Knex,
  round: number,
  opts: { stock: number; buyers: number },
): Promise<FlashObservation> {
  const tag = `flash#${round}`;
  const plan = round % 3 === 0 ? openPlan(world, opts.buyers) : limitedPlan(world, opts.buyers);
  const product = await createProduct(
    world,
    world.rng.pick(world.merchants),
    opts.stock,
    1000,
    tag,
    plan,
  );
  const end = world.sales.open({
    round,
    product,
    startsAt: plan.saleStartsAt ?? Date.now(),
    buyers: new Set(plan.buyers.map((b) => b.id)),
  });
  const send = (s: Shot) =>
    placeOrder(world, s.buyer, [{ product, quantity: s.quantity }], {
      keyed: world.rng.chance(0.5),
      tag,
      reserved: true,
      ...(s.port !== undefined ? { port: s.port } : {}),
    });
  let results: Awaited<ReturnType<typeof send>>[];
  try {
    const early = plan.shots.filter((s) => s.early).map(send);
    if (plan.saleStartsAt !== undefined) {
      // Just before or at the start: the first answers race the sale's opening.
      await sleep(plan.saleStartsAt - world.rng.int(0, 40) - Date.now());
    }
    results = await Promise.all([...early, ...plan.shots.filter((s) => !s.early).map(send)]);
  } finally {
    end();
  }
  try {
    return await observeRound(db, round, product, plan, results, opts.stock);
  } finally {
    for (const r of results) if (r.order) r.order.reserved = false;
  }
}

function openPlan(world: World, buyers: number): Plan {
  const shots = Array.from({ length: buyers }, () => ({
    buyer: world.rng.pick(world.buyers),
    quantity: 1,
    early: false,
  }));
  return { shots, buyers: shots.map((s) => s.buyer) };
}

function limitedPlan(world: World, requests: number): Plan {
  const { rng } = world;
  const limit = rng.int(1, 3);
  // Leave buyers out of the round: a probe after a fault orders as one of them.
  const pool = [...world.buyers];
  const count = Math.max(1, Math.min(rng.int(4, 6), pool.length - 2));
  const group: Identity[] = [];
  while (group.length < count) group.push(...pool.splice(rng.int(0, pool.length - 1), 1));
  const sent = new Map<string, number>();
  const shot = (buyer: Identity, early: boolean): Shot => {
    const n = sent.get(buyer.id) ?? 0;
    sent.set(buyer.id, n + 1);
    const instance = world.instances[(group.indexOf(buyer) + n) % world.instances.length];
    return {
      buyer,
      quantity: rng.chance(0.3) ? rng.int(2, limit + 1) : 1,
      // A buyer's orders go round the instances: its limit must hold across them.
      port: instance?.running ? instance.port : world.port(),
      early,
    };
  };
  const shots = [
    ...Array.from({ length: rng.int(2, 4) }, () => shot(rng.pick(group), true)),
    ...Array.from({ length: requests }, (_, i) => shot(group[i % group.length] as Identity, false)),
  ];
  return {
    perBuyerLimit: limit,
    saleStartsAt: Date.now() + rng.int(400, 1000),
    shots,
    buyers: group,
  };
}

async function observeRound(
  db: Knex,
  round: number,
  product: Product,
  plan: Plan,
  results: { record: RequestRecord; attempts: RequestRecord[] }[],
  stock: number,
): Promise<FlashObservation> {
  const row = await db('products')
    .where({ id: product.id })
    .first<{ stock: number; stocked: number }>('stock', 'stocked');
  const orders = await db('order_items as i')
    .join('orders as o', 'o.id', 'i.order_id')
    .where('i.product_id', product.id)
    .select<{ holds_stock: boolean; quantity: number; buyer_id: string }[]>(
      'o.holds_stock',
      'i.quantity',
      'o.buyer_id',
    );
  const held = new Map<string, number>();
  for (const o of orders) {
    if (o.holds_stock) held.set(o.buyer_id, (held.get(o.buyer_id) ?? 0) + o.quantity);
  }
  const records = results.map((r) => r.record);
  const count = (code: string) => records.filter((r) => r.code === code).length;
  const quantityOf = (r: RequestRecord) => asNumber(itemOf(r)?.quantity) ?? 0;
  const outOfStock = records.filter((r) => r.code === 'out_of_stock').map(quantityOf);
  // Units that may have been taken from the gate without becoming an order: attempts
  // with an unknown outcome, and limit refusals (a gate just reset to PostgreSQL's
  // holdings lets through what PostgreSQL then refuses).
  const maybeBack = results
    .flatMap((r) => r.attempts)
    .filter((r) => r.outcome === 'unknown' || r.code === 'purchase_limit_exceeded')
    .reduce((sum, r) => sum + quantityOf(r), 0);
  return {
    round,
    productId: product.id,
    stocked: asNumber(row?.stocked) ?? stock,
    requests: results.length,
    created: records.filter((r) => r.outcome === 'ok').length,
    outOfStock: outOfStock.length,
    unknown: records.filter((r) => r.outcome === 'unknown' || r.outcome === 'refused').length,
    stockAfter: asNumber(row?.stock) ?? Number.NaN,
    ordersAfter: orders.length,
    quantityAfter: orders.filter((o) => o.holds_stock).reduce((s, o) => s + o.quantity, 0),
    quantityReleased: orders.filter((o) => !o.holds_stock).reduce((s, o) => s + o.quantity, 0),
    released: orders.some((o) => !o.holds_stock),
    perBuyerLimit: plan.perBuyerLimit ?? null,
    saleStartsAt: plan.saleStartsAt ?? null,
    notStarted: count('sale_not_started'),
    limitExceeded: count('purchase_limit_exceeded'),
    outOfStockMinQuantity: outOfStock.length > 0 ? Math.min(...outOfStock) : null,
    unitsMaybeBack: maybeBack,
    maxHeldByBuyer: Math.max(0, ...held.values()),
  };
}

/** The first item of a create-order request's body. */
function itemOf(r: RequestRecord): Record<string, unknown> | undefined {
  const items = r.body?.items;
  return Array.isArray(items) ? (items[0] as Record<string, unknown> | undefined) : undefined;
}
