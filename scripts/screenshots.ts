/**
 * Takes the README's screenshots of the back office from a running app: builds the page,
 * starts an API instance in this process on a free port (against DATABASE_URL and
 * REDIS_URL, else the project's dev servers: run `npm run up` or `bash scripts/services.sh
 * up` first), seeds a new merchant's shop through the public API, and saves PNGs in
 * docs/screenshots/. A flash sale runs while the products page is taken.
 *   npm run screenshots
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { buildAdmin } from '../src/cli/build-admin';
import { loadConfig } from '../src/config';
import { signToken } from '../src/http/auth';
import { createLogger } from '../src/logger';
import { startServer } from '../src/server';
import { launchChromium } from '../support/browser';
import { freePort } from '../support/net';
import { waitUntil } from '../support/time';
import { databaseUrlFrom, redisUrlFrom } from '../support/urls';

const OUT = path.resolve(__dirname, '../docs/screenshots');

type Json = Record<string, unknown>;

async function main(): Promise<void> {
  await buildAdmin();
  const port = await freePort();
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: databaseUrlFrom(),
    REDIS_URL: redisUrlFrom(),
    PORT: String(port),
    LOG_LEVEL: 'error',
    RATE_LIMIT_PER_SECOND: '0',
  });
  const running = await startServer(config, createLogger(config));
  const base = `http://127.0.0.1:${port}`;
  const suffix = Date.now().toString(36).slice(-5);
  const token = (role: 'merchant' | 'buyer', sub: string) =>
    signToken(config.AUTH_JWT_SECRET, { role, sub }, 3600);
  const merchantToken = await token('merchant', `shop-${suffix}`);
  const call = async (bearer: string, method: string, route: string, body?: Json) => {
    const res = await fetch(`${base}${route}`, {
      method,
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
    return (await res.json()) as Json;
  };
  const asMerchant = (method: string, route: string, body?: Json) =>
    call(merchantToken, method, route, body);

  try {
    const product = (sku: string, name: string, priceCents: number, extra: Json = {}) =>
      asMerchant('POST', '/v1/products', {
        sku: `${sku}-${suffix}`,
        name,
        priceCents,
        stock: 400,
        ...extra,
      });
    const mug = await product('MUG', 'Enamel mug', 1200);
    const tea = await product('TEA', 'Tea set', 4800, { giftProductId: mug.id, perBuyerLimit: 3 });
    const lamp = await product('LAMP', 'Desk lamp', 3900);

    // Orders in every status, from a handful of buyers.
    const orders: Json[] = [];
    for (const [i, items] of [
      [{ productId: tea.id, quantity: 1 }],
      [{ productId: lamp.id, quantity: 2 }],
      [{ productId: mug.id, quantity: 4 }],
      [
        { productId: tea.id, quantity: 2 },
        { productId: mug.id, quantity: 1 },
      ],
      [{ productId: lamp.id, quantity: 1 }],
      [{ productId: mug.id, quantity: 2 }],
      [{ productId: tea.id, quantity: 1 }],
    ].entries()) {
      const buyer = await token('buyer', `buyer-${['ada', 'lin', 'sam', 'noor'][i % 4]}-${suffix}`);
      orders.push({ ...(await call(buyer, 'POST', '/v1/orders', { items })), buyer });
    }
    const act = (o: Json, action: string, body: Json, who = merchantToken) =>
      call(who, 'POST', `/v1/orders/${String(o.id)}/${action}`, body);
    const pay = async (o: Json) =>
      act(
        o,
        'pay',
        {
          amountCents: (await asMerchant('GET', `/v1/orders/${String(o.id)}`)).totalCents,
        },
        o.buyer as string,
      );
    const [o0, o1, o2, o3, o4, o5, o6] = orders as [Json, Json, Json, Json, Json, Json, Json];
    await pay(o0);
    await act(o0, 'ship', { trackingNumber: 'DHL-4471-2290' });
    await pay(o1);
    await act(o2, 'cancel', { reason: 'out of colour' });
    await act(o3, 'reprice', { totalCents: 10_500, reason: 'bundle discount' });
    await pay(o4);
    await act(o4, 'refund', { reason: 'arrived broken' });
    await act(o6, 'reprice', { totalCents: 4_300, reason: 'loyal customer' });
    void o5;

    const browser = await launchChromium();
    mkdirSync(OUT, { recursive: true });
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 800 });
      await signIn(page, base, merchantToken);
      await page.waitForSelector('tr[data-order-id]');
      await page.screenshot({ path: path.join(OUT, 'orders.png') });

      await page.goto(`${base}/admin/#/orders/${String(o3.id)}`);
      await page.waitForSelector('.timeline li[data-event=REPRICE]');
      await page.screenshot({ path: path.join(OUT, 'order.png'), fullPage: true });

      const sale = await product('DROP', 'Sneaker drop', 8900, {
        stock: 300,
        perBuyerLimit: 1,
        saleStartsAt: new Date(Date.now() + 1500).toISOString(),
      });
      await page.goto(`${base}/admin/#/products`);
      await page.waitForSelector(`tr[data-product-id="${String(sale.id)}"]`);
      const stop = flashSale(call, token, String(sale.id), suffix);
      // Until the page has measured the sale's pace over a few seconds.
      const rate = `tr[data-product-id="${String(sale.id)}"] [data-testid=orders-per-second]`;
      await waitUntil(
        async () =>
          parseFloat(
            await page
              .$eval(rate, (e: unknown) => (e as { textContent?: string }).textContent ?? '')
              .catch(() => ''),
          ) >= 5,
        30_000,
        'the sale to reach 5 orders/s on the page',
      );
      await page.screenshot({ path: path.join(OUT, 'flash-sale.png') });
      await stop();

      await page.setViewport({ width: 390, height: 844, isMobile: true });
      await page.goto(`${base}/admin/#/orders/${String(o0.id)}`);
      await page.waitForSelector('.timeline li[data-event=SHIP]');
      await page.screenshot({ path: path.join(OUT, 'order-phone.png') });
    } finally {
      await browser.close();
    }
    process.stdout.write(`screenshots written to docs/screenshots/\n`);
  } finally {
    await running.shutdown('screenshots taken');
  }
}

async function signIn(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/admin/`);
  await page.waitForSelector('textarea[name=token]');
  await page.type('textarea[name=token]', token);
  await page.click('button[type=submit]');
  await page.waitForSelector('#orders-title');
}

/** Buyers ordering the sale product, one each (its limit), about 8 a second until stopped. */
function flashSale(
  call: (bearer: string, method: string, route: string, body?: Json) => Promise<Json>,
  token: (role: 'buyer', sub: string) => Promise<string>,
  productId: string,
  suffix: string,
): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    for (let n = 0; running; n++) {
      const buyer = await token('buyer', `fan-${n}-${suffix}`);
      await call(buyer, 'POST', '/v1/orders', { items: [{ productId, quantity: 1 }] }).catch(
        () => undefined,
      );
      await new Promise((resolve) => setTimeout(resolve, 120));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
