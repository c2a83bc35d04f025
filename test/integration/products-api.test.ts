import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { openApi, principal, type ApiContext, type Principal } from '../helpers/api';
import { makeSaleProduct, type ProductBody } from '../helpers/catalog';

describe('the catalogue: flash-sale fields, listing, restock, gifts', () => {
  let api: ApiContext;
  let merchant: Principal;
  let other: Principal;
  beforeAll(async () => {
    api = await openApi();
    [merchant, other] = await Promise.all([
      principal(api.config, 'merchant'),
      principal(api.config, 'merchant'),
    ]);
  });
  afterAll(async () => api.close());

  const list = (who: Principal, query: string) =>
    request(api.app).get(`/v1/products?${query}`).set(who.auth);
  const restock = (who: Principal, id: string, body: object) =>
    request(api.app).post(`/v1/products/${id}/restock`).set(who.auth).send(body);
  const stockOf = async (id: string) =>
    api
      .db<{ id: string; stock: number; stocked: number }>('products')
      .where({ id })
      .first('stock', 'stocked');

  it('when a product is created without the new fields, then they are null', async () => {
    const product = await makeSaleProduct(api, merchant);
    expect(product).toMatchObject({ perBuyerLimit: null, saleStartsAt: null, giftProductId: null });
    const read = await request(api.app).get(`/v1/products/${product.id}`).set(merchant.auth);
    expect(read.body).toEqual(product);
  });

  it('when perBuyerLimit is out of 1..1000, then 400 and nothing is created', async () => {
    for (const perBuyerLimit of [0, 1001, 1.5]) {
      const sku = `sku-${randomUUID().slice(0, 8)}`;
      const res = await request(api.app)
        .post('/v1/products')
        .set(merchant.auth)
        .send({ sku, name: 'x', priceCents: 1, stock: 1, perBuyerLimit });
      expect([res.status, res.body.errors?.[0]?.path]).toEqual([400, 'body.perBuyerLimit']);
      expect(await api.db('products').where({ sku })).toEqual([]);
    }
  });

  it('when giftProductId names another merchant’s product or none, then 422 invalid_gift; its own product is accepted', async () => {
    const theirs = await makeSaleProduct(api, other);
    for (const giftProductId of [theirs.id, randomUUID()]) {
      const sku = `sku-${randomUUID().slice(0, 8)}`;
      const res = await request(api.app)
        .post('/v1/products')
        .set(merchant.auth)
        .send({ sku, name: 'x', priceCents: 1, stock: 1, giftProductId });
      expect([res.status, res.body.code, res.body.giftProductId]).toEqual([
        422,
        'invalid_gift',
        giftProductId,
      ]);
      expect(await api.db('products').where({ sku })).toEqual([]);
    }
    const gift = await makeSaleProduct(api, merchant);
    const product = await makeSaleProduct(api, merchant, { giftProductId: gift.id.toUpperCase() });
    expect(product.giftProductId).toBe(gift.id);
  });

  it('when a merchant pages through its products, then newest first, only its own, no gap or repeat', async () => {
    const seller = await principal(api.config, 'merchant');
    const made: ProductBody[] = [];
    for (let i = 0; i < 7; i++) made.push(await makeSaleProduct(api, seller));
    await makeSaleProduct(api, other);
    const seen: ProductBody[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(seller, `limit=3${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      seen.push(...(res.body.products as ProductBody[]));
      cursor = res.body.nextCursor as string | null;
      pages += 1;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((p) => p.id)).toEqual(made.map((p) => p.id).reverse());
  });

  it('when an admin lists, then it sees every merchant’s products; a buyer gets 403', async () => {
    const admin = await principal(api.config, 'admin');
    const mine = await makeSaleProduct(api, merchant);
    const theirs = await makeSaleProduct(api, other);
    const found = new Set<string>();
    let cursor: string | null = null;
    // Pages until both are found or the listing is past them (other test files add products).
    for (;;) {
      const res = await list(admin, `limit=100${cursor ? `&cursor=${cursor}` : ''}`).expect(200);
      const page = res.body.products as ProductBody[];
      page.forEach((p) => found.add(p.id));
      cursor = res.body.nextCursor as string | null;
      const last = page[page.length - 1];
      if (cursor === null || !last || last.createdAt < mine.createdAt) break;
    }
    expect(found.has(mine.id) && found.has(theirs.id)).toBe(true);
    const buyer = await principal(api.config, 'buyer');
    expect((await list(buyer, 'limit=5')).body.code).toBe('forbidden');
  });

  it('when the query is bad, then 400 validation_failed', async () => {
    for (const query of ['limit=0', 'limit=101', 'cursor=nonsense', 'colour=red']) {
      const res = await list(merchant, query);
      expect([query, res.status, res.body.code]).toEqual([query, 400, 'validation_failed']);
    }
  });

  it('when the owner restocks, then stock and stocked grow by the quantity, up to 2^31 - 1 stocked', async () => {
    const product = await makeSaleProduct(api, merchant, { stock: 4 });
    const res = await restock(merchant, product.id, { quantity: 1_000_000_000 }).expect(200);
    expect(res.body).toMatchObject({ id: product.id, stock: 1_000_000_004 });
    await restock(merchant, product.id, { quantity: 1_000_000_000 }).expect(200);
    // 2_000_000_004 stocked: 147_483_643 more fit a 4-byte integer column, not one more.
    const over = await restock(merchant, product.id, { quantity: 147_483_644 });
    expect([over.status, over.body.code, over.body.errors?.[0]?.path]).toEqual([
      400,
      'validation_failed',
      'body.quantity',
    ]);
    expect(await stockOf(product.id)).toEqual({ stock: 2_000_000_004, stocked: 2_000_000_004 });
    await restock(merchant, product.id, { quantity: 147_483_643 }).expect(200);
    expect(await stockOf(product.id)).toEqual({ stock: 2_147_483_647, stocked: 2_147_483_647 });
  });

  it('when a restock is retried with its Idempotency-Key, then it is replayed, not added twice', async () => {
    const product = await makeSaleProduct(api, merchant, { stock: 4 });
    const key = `r-${randomUUID()}`;
    const first = await restock(merchant, product.id, { quantity: 6 }).set('Idempotency-Key', key);
    const again = await restock(merchant, product.id, { quantity: 6 }).set('Idempotency-Key', key);
    expect([first.status, again.status, again.headers['idempotent-replayed']]).toEqual([
      200,
      200,
      'true',
    ]);
    expect(again.body).toEqual(first.body);
    expect(await stockOf(product.id)).toEqual({ stock: 10, stocked: 10 });
  });

  it('when anyone else restocks, or the body is bad, then it is refused and nothing changes', async () => {
    const product = await makeSaleProduct(api, merchant, { stock: 4 });
    const buyer = await principal(api.config, 'buyer');
    const admin = await principal(api.config, 'admin');
    const refusals: [Principal, string, object, number, string][] = [
      [other, product.id, { quantity: 1 }, 403, 'forbidden'],
      [buyer, product.id, { quantity: 1 }, 403, 'forbidden'],
      [admin, product.id, { quantity: 1 }, 403, 'forbidden'],
      [merchant, randomUUID(), { quantity: 1 }, 404, 'product_not_found'],
      [merchant, 'not-a-uuid', { quantity: 1 }, 404, 'product_not_found'],
      [merchant, product.id, { quantity: 0 }, 400, 'validation_failed'],
      [merchant, product.id, { quantity: 1_000_000_001 }, 400, 'validation_failed'],
      [merchant, product.id, { quantity: 1, note: 'x' }, 400, 'validation_failed'],
      [merchant, product.id, {}, 400, 'validation_failed'],
    ];
    for (const [who, id, body, status, code] of refusals) {
      const res = await restock(who, id, body);
      expect([who.role, body, res.status, res.body.code]).toEqual([who.role, body, status, code]);
    }
    expect(await stockOf(product.id)).toEqual({ stock: 4, stocked: 4 });
  });
});
