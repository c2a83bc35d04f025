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

/** `POST /v1/products` until it is created (setup runs before any fault). */
export async function createProduct(
  world: World,
  merchant: Identity,
  stock: number,
  priceCents: number,
  tag?: string,
): Promise<Product> {
  const sku = `h-${world.rng.token(12)}`;
  for (let attempt = 1; ; attempt++) {
    const { record, json } = await world.client.send({
      kind: 'create-product',
      method: 'POST',
      path: '/v1/products',
      actor: merchant,
      port: world.port(),
      body: { sku, name: `harness ${sku}`, priceCents, currency: 'USD', stock },
      idempotencyKey: `product-${sku}`,
      ...(tag !== undefined ? { tag } : {}),
    });
    const id = asObject(json)?.id;
    if (record.outcome === 'ok' && typeof id === 'string') return { id, merchant, priceCents };
    if (attempt >= 5) {
      throw new Error(
        `could not create a product: ${record.status ?? record.error} ${JSON.stringify(json)}`,
      );
    }
  }
}

/** Each merchant's catalogue: `perMerchant` products with plenty of stock. */
export async function catalogue(world: World, perMerchant: number, stock: number): Promise<void> {
  for (const merchant of world.merchants) {
    for (let i = 0; i < perMerchant; i++) {
      world.products.push(await createProduct(world, merchant, stock, world.rng.int(5, 500) * 10));
    }
  }
}
