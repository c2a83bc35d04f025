import { sleep } from '../../support/time';
import type { RequestSpec } from '../http/client';
import { identity, type Identity } from '../http/tokens';
import type { Role } from '../types';
import { asObject } from '../util/json';
import type { Product, World } from './world';

/** The principals of a run: ids `h-<run>-<role><n>`, so its data mixes with nobody's. */
export async function principals(
  secret: string,
  runId: string,
  counts: { buyers: number; merchants: number },
): Promise<{ buyers: Identity[]; merchants: Identity[]; admin: Identity }> {
  const make = (role: Role, n: number) =>
    identity(secret, { role, id: `h-${runId}-${role[0]}${n}` });
  const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
  return {
    buyers: await Promise.all(range(counts.buyers).map((n) => make('buyer', n))),
    merchants: await Promise.all(range(counts.merchants).map((n) => make('merchant', n))),
    admin: await make('admin', 0),
  };
}

/** A new product's optional settings (flash sales, gifts). */
export interface SaleFields {
  perBuyerLimit?: number;
  /** Unix epoch ms. */
  saleStartsAt?: number;
  /** Another product of the same merchant, given with each unit paid. */
  giftProductId?: string;
}

/**
 * `POST /v1/products` until it is created, with one key: flash sales and kill episodes
 * create products while faults run (see `createUntilDone`).
 */
export async function createProduct(
  world: World,
  merchant: Identity,
  stock: number,
  priceCents: number,
  tag?: string,
  sale: SaleFields = {},
): Promise<Product> {
  const sku = `h-${world.rng.token(12)}`;
  const fields = {
    ...(sale.perBuyerLimit !== undefined ? { perBuyerLimit: sale.perBuyerLimit } : {}),
    ...(sale.saleStartsAt !== undefined
      ? { saleStartsAt: new Date(sale.saleStartsAt).toISOString() }
      : {}),
    ...(sale.giftProductId !== undefined ? { giftProductId: sale.giftProductId } : {}),
  };
  const body = { sku, name: `harness ${sku}`, priceCents, currency: 'USD', stock, ...fields };
  const id = await createUntilDone(world, {
    kind: 'create-product',
    path: '/v1/products',
    actor: merchant,
    body,
    idempotencyKey: `product-${sku}`,
    ...(tag !== undefined ? { tag } : {}),
  });
  return { id, merchant, priceCents };
}

/**
 * A merchant's POST that creates something (a product, a coupon), sent with one
 * `Idempotency-Key` until it is created: a 503 or a reset is tried again after a pause
 * (up to 8 times, about 7 s in all); `idempotency_key_in_flight` (an earlier try's
 * instance was killed or paused while it held the key) is tried again every second
 * until the key's lease (`world.keyLeaseMs`) and a margin have passed.
 * @returns the created resource's id.
 * @throws Error on a final refusal or when every try failed.
 */
export async function createUntilDone(
  world: World,
  spec: Omit<RequestSpec, 'method' | 'port'>,
): Promise<string> {
  return (await createdBody(world, spec)).id;
}

/** `createUntilDone`, returning the created resource's whole body. */
export async function createdBody(
  world: World,
  spec: Omit<RequestSpec, 'method' | 'port'>,
): Promise<{ id: string } & Record<string, unknown>> {
  let failures = 0;
  let heldUntil: number | undefined;
  for (;;) {
    const { record, json } = await world.client.send({
      ...spec,
      method: 'POST',
      port: world.port(),
    });
    const body = asObject(json);
    if (record.outcome === 'ok' && typeof body?.id === 'string') return { ...body, id: body.id };
    const held = record.outcome === 'rejected' && record.code === 'idempotency_key_in_flight';
    if (held) heldUntil ??= Date.now() + world.keyLeaseMs + 5000;
    else failures++;
    const final = record.outcome === 'rejected' && !held;
    const exhausted = held ? Date.now() > (heldUntil ?? 0) : failures >= 8;
    if (final || exhausted) {
      throw new Error(
        `could not ${spec.kind}: ${record.status ?? record.error} ${JSON.stringify(json)}`,
      );
    }
    await sleep(held ? 1000 : 200 * failures);
  }
}

/**
 * Each merchant's catalogue: `perMerchant` products with plenty of stock. With two or
 * more, the first is the gift of the second (and, with four or more, of the last): a
 * paid unit of those brings one unit of it (guarantee 10).
 */
export async function catalogue(world: World, perMerchant: number, stock: number): Promise<void> {
  for (const merchant of world.merchants) {
    let gift: Product | undefined;
    for (let i = 0; i < perMerchant; i++) {
      const gives = gift && (i === 1 || (i === perMerchant - 1 && perMerchant >= 4));
      const product = await createProduct(
        world,
        merchant,
        stock,
        world.rng.int(5, 500) * 10,
        undefined,
        gives && gift ? { giftProductId: gift.id } : {},
      );
      gift ??= product;
      world.products.push(product);
    }
  }
}
