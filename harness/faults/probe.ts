import type { Knex } from 'knex';
import { sleep } from '../../support/time';
import type { Recorder } from '../http/recorder';
import type { Identity } from '../http/tokens';
import type { SaleProbe } from '../types';
import { placeOrder } from '../workload/requests';
import type { LiveSale } from '../workload/sales';
import type { Product, World } from '../workload/world';

/** How long a probe keeps trying; the checker allows 5 s, so a probe ending later failed. */
const GIVE_UP_MS = 10_000;
/** One try's client deadline: a paused or dead instance must not hold the probe up. */
const TRY_TIMEOUT_MS = 1000;

export interface ProbeContext {
  world: World;
  db: Knex;
  recorder: Recorder;
}

/** What a probe orders: one unit of `product` as `buyer`. */
export interface ProbeTarget {
  target: SaleProbe['target'];
  product: Product;
  buyer: Identity;
}

/**
 * Orders one unit of the target until a 201: every 100 ms, each try on a random running
 * instance with a 1 s deadline, for at most 10 s. The order joins the workload.
 *
 * A try sent to a paused instance times out here but still runs when the instance
 * wakes, and may take the unit: the product did sell again, to an order whose answer
 * was lost (it then holds the unit until payment expiry, and later tries are refused).
 * So after a lost answer, each refusal looks in the database for an order of the
 * probe's buyer for the product, and counts its creation as the sale.
 */
export async function probeSale(
  ctx: ProbeContext,
  fault: string,
  to: ProbeTarget,
  fromMs: number,
): Promise<SaleProbe> {
  const probe: SaleProbe = {
    fault,
    target: to.target,
    productId: to.product.id,
    fromMs,
    attempts: 0,
  };
  let answerLost = false;
  const soldToLostTry = async () => {
    const createdMs = await orderPlacedSince(ctx, to.buyer.id, to.product.id, fromMs);
    if (createdMs === undefined) return false;
    probe.soldMs = createdMs;
    probe.soldToLostTry = true;
    return true;
  };
  while (ctx.recorder.now() - fromMs < GIVE_UP_MS) {
    probe.attempts++;
    const { record } = await placeOrder(
      ctx.world,
      to.buyer,
      [{ product: to.product, quantity: 1 }],
      {
        tag: `probe:${fault}`,
        timeoutMs: TRY_TIMEOUT_MS,
      },
    );
    if (record.outcome === 'ok') {
      probe.soldMs = record.recvMs;
      break;
    }
    if (record.outcome === 'unknown') answerLost = true;
    else if (answerLost && (await soldToLostTry())) break;
    await sleep(100);
  }
  if (probe.soldMs === undefined && answerLost) await soldToLostTry();
  return probe;
}

/**
 * When the first order of `buyerId` with `productId` created since `fromMs` (run ms)
 * was created, in run ms (its transaction's start, after the gate's take); undefined
 * when there is none.
 */
async function orderPlacedSince(
  ctx: ProbeContext,
  buyerId: string,
  productId: string,
  fromMs: number,
): Promise<number | undefined> {
  const wallOffset = Date.now() - ctx.recorder.now();
  const row = await ctx
    .db('orders as o')
    .join('order_items as i', 'i.order_id', 'o.id')
    .where({ 'o.buyer_id': buyerId, 'i.product_id': productId })
    .where('o.created_at', '>=', new Date(fromMs + wallOffset))
    .min<{ first: Date | null }>({ first: 'o.created_at' })
    .first();
  return row?.first ? row.first.getTime() - wallOffset : undefined;
}

/** Units of the product left in PostgreSQL. */
export async function stockLeft(db: Knex, productId: string): Promise<number> {
  const row = await db('products').where({ id: productId }).first<{ stock: number }>('stock');
  return row?.stock ?? 0;
}

/**
 * After a Redis fault: the product of the flash sale it hit, once that sale's buyers are
 * done (nobody else orders it, so the stock left is the probe's to take), as a buyer the
 * sale did not use; else, or when the sale sold out, a catalogue product. Measured from
 * the fault's end, or from the sale's end when that is later.
 */
export async function probeAfterRedisFault(
  ctx: ProbeContext,
  fault: string,
  faultEndMs: number,
  sale: LiveSale | undefined,
): Promise<SaleProbe> {
  const { world } = ctx;
  if (sale) {
    await sale.ended;
    const buyer = world.buyers.find((b) => !sale.buyers.has(b.id) && !sale.probed.has(b.id));
    if (buyer && (await stockLeft(ctx.db, sale.product.id)) > 0) {
      sale.probed.add(buyer.id);
      const fromMs = Math.max(faultEndMs, ctx.recorder.now());
      return probeSale(ctx, fault, { target: 'flash', product: sale.product, buyer }, fromMs);
    }
  }
  const target = { target: 'catalogue' as const, product: world.rng.pick(world.products) };
  return probeSale(ctx, fault, { ...target, buyer: world.rng.pick(world.buyers) }, faultEndMs);
}

/** A probe's outcome for the fault log. */
export function probeText(p: SaleProbe): string {
  const what = `${p.target} product ${p.productId}`;
  if (p.soldMs === undefined) return `${what} did not sell again (${p.attempts} tries)`;
  const to = p.soldToLostTry ? ', to a try whose answer was lost' : '';
  return `${what} sold again after ${Math.round(p.soldMs - p.fromMs)} ms${to} (${p.attempts} tries)`;
}
