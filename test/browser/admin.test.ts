import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'puppeteer-core';
import request from 'supertest';
import { launchChromium } from '../../support/browser';
import { makeOrder, openShop, principal, type ApiContext, type Principal } from '../helpers/api';
import { OrderScreen, OrdersScreen, SignInScreen } from './screens';

// The back office in real headless Chromium against a real app (in this process) on the
// test database: the page talks to the public API only, as a merchant.
/** A liveness bound for page waits, not a speed target: CI's two cores run the app too. */
const PAGE_TIMEOUT_MS = 30_000;

describe('the back office in a browser', () => {
  let api: ApiContext;
  let merchant: Principal;
  let product: { id: string };
  let server: Server;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;
  const token = () => merchant.auth.Authorization.replace('Bearer ', '');

  beforeAll(async () => {
    ({ api, merchant, product } = await openShop({}, { priceCents: 1000, stock: 1000 }));
    server = api.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    page = await signedInPage();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
    await api?.close();
  });

  /** A new tab, signed in as the merchant (each tab keeps its own token). */
  async function signedInPage(): Promise<Page> {
    const tab = await browser.newPage();
    tab.setDefaultTimeout(PAGE_TIMEOUT_MS);
    await tab.setViewport({ width: 1280, height: 900 });
    const signIn = new SignInScreen(tab);
    await signIn.open(baseUrl);
    await signIn.signIn(token());
    return tab;
  }
  const newBuyer = () => principal(api.config, 'buyer');
  const order = (buyer: Principal) =>
    makeOrder(api, buyer, [{ productId: product.id, quantity: 1 }]);
  const pay = (buyer: Principal, o: { id: string; totalCents: number }) =>
    request(api.app)
      .post(`/v1/orders/${o.id}/pay`)
      .set(buyer.auth)
      .send({ amountCents: o.totalCents })
      .expect(200);

  it("when a token is pasted, then a bad one is refused and a merchant's opens the orders", async () => {
    const tab = await browser.newPage();
    tab.setDefaultTimeout(PAGE_TIMEOUT_MS);
    const signIn = new SignInScreen(tab);
    await signIn.open(baseUrl);
    expect(await signIn.hint()).toContain('npm run token -- merchant <id>');
    await signIn.signIn('not-a-token');
    expect(await signIn.error()).toContain('not a bearer token');
    const forged = `${token().slice(0, -4)}AAAA`;
    await signIn.signIn(forged);
    expect(await signIn.error()).toContain('401');
    await signIn.signIn(token());
    await tab.waitForSelector('.who');
    expect(await tab.$eval('.who', (e) => e.textContent)).toContain(merchant.id);
    // Remembered for the tab: a reload keeps the merchant signed in.
    await tab.reload();
    await tab.waitForSelector('#orders-title');
    await tab.close();
  });

  it('when filtering by status and by buyer or order id, then only matching orders are listed', async () => {
    const [alice, bob] = [await newBuyer(), await newBuyer()];
    const [a1, a2, b1] = [await order(alice), await order(alice), await order(bob)];
    await pay(alice, a2);
    const orders = new OrdersScreen(page);
    await orders.open(baseUrl);
    await orders.filter({ search: alice.id });
    await orders.waitForRows([a1.id, a2.id]);
    expect(await orders.rowIds()).toEqual([a2.id, a1.id]); // newest first
    expect(await orders.totals()).toContain('$20.00');
    await orders.filter({ status: 'paid', search: alice.id });
    await orders.waitForRows([a2.id]);
    await orders.filter({ search: b1.id });
    await orders.waitForRows([b1.id]);
  });

  it('when the merchant reprices an order, then its total, version and timeline show it', async () => {
    const o = await order(await newBuyer());
    const screen = new OrderScreen(page);
    await screen.open(baseUrl, o.id);
    expect(await screen.actions()).toEqual(['Reprice', 'Cancel']);
    await screen.openReprice();
    await screen.submitReprice('7.50', 'loyalty');
    await screen.waitForVersion(2);
    expect(await screen.total()).toBe('$7.50');
    const timeline = await screen.timeline();
    expect(timeline[1]).toContain('REPRICE');
    expect(timeline[1]).toContain(`merchant ${merchant.id}`);
    expect(timeline[1]).toContain('$10.00 → $7.50');
  });

  it("when another tab reprices first, then this tab's reprice is refused with 412 and what changed, and nothing is overwritten", async () => {
    const o = await order(await newBuyer());
    const mine = new OrderScreen(page);
    await mine.open(baseUrl, o.id);
    await mine.openReprice();
    const otherTab = await signedInPage();
    const other = new OrderScreen(otherTab);
    await other.open(baseUrl, o.id);
    await other.openReprice();
    await other.submitReprice('8.00');
    await other.waitForVersion(2);
    await otherTab.close();

    await mine.submitReprice('9.00');
    const conflict = await mine.conflict();
    expect(conflict).toContain('412');
    expect(conflict).toContain('version 1');
    expect(conflict).toContain('$10.00 → $8.00');
    expect(conflict).toContain(`REPRICE by merchant ${merchant.id}`);
    const stored = await request(api.app).get(`/v1/orders/${o.id}`).set(merchant.auth);
    expect(stored.body).toMatchObject({ version: 2, totalCents: 800 });
    await mine.reload();
    await mine.waitForVersion(2);
    expect(await mine.total()).toBe('$8.00');
  });

  it('when three orders are bulk-shipped and one is unpaid, then two ship and the third shows its refusal', async () => {
    const buyer = await newBuyer();
    const [p1, unpaid, p2] = [await order(buyer), await order(buyer), await order(buyer)];
    await pay(buyer, p1);
    await pay(buyer, p2);
    const orders = new OrdersScreen(page);
    await orders.open(baseUrl);
    await orders.filter({ search: buyer.id });
    await orders.waitForRows([p1.id, unpaid.id, p2.id]);
    await orders.select([p1.id, unpaid.id, p2.id]);
    const outcome = await orders.bulkShip({
      [p1.id]: 'TRK-1',
      [unpaid.id]: 'TRK-2',
      [p2.id]: 'TRK-3',
    });
    expect(outcome[p1.id]).toContain('done: shipped');
    expect(outcome[p2.id]).toContain('done: shipped');
    expect(outcome[unpaid.id]).toContain('refused (409 invalid_transition)');
    await orders.waitForStatus(p1.id, 'shipped', 2000);
    await orders.waitForStatus(unpaid.id, 'pending_payment', 2000);
    const events = await request(api.app).get(`/v1/orders/${p2.id}/events`).set(merchant.auth);
    expect(events.body.events.at(-1)).toMatchObject({
      type: 'SHIP',
      data: { trackingNumber: 'TRK-3' },
    });
  });

  it('when the buyer pays elsewhere, then the open list and the open order show it within 2 s', async () => {
    const buyer = await newBuyer();
    const o = await order(buyer);
    const orders = new OrdersScreen(page);
    await orders.open(baseUrl);
    await orders.filter({ search: buyer.id });
    await orders.waitForRows([o.id]);
    const orderTab = await signedInPage();
    const screen = new OrderScreen(orderTab);
    await screen.open(baseUrl, o.id);
    expect(await screen.status()).toBe('pending_payment');

    await pay(buyer, o);
    await Promise.all([
      orders.waitForStatus(o.id, 'paid', 2000),
      screen.waitForStatus('paid', 2000),
    ]);
    expect((await screen.timeline()).at(-1)).toContain('PAY');
    expect(await screen.actions()).toEqual(['Ship', 'Refund']);
    await orderTab.close();
  });
});
