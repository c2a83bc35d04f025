// Page objects of the back office: one small helper per screen. Each waits for what a
// user would see (a row, a badge, a message), never for a fixed time.
import type { Page } from 'puppeteer-core';
import { waitUntil } from '../../support/time';

/** Clears the field and types `value` into it, as a user would (Ctrl+A, then keys). */
async function typeInto(page: Page, selector: string, value: string): Promise<void> {
  await page.focus(selector);
  await page.keyboard.down('Control');
  await page.keyboard.press('KeyA');
  await page.keyboard.up('Control');
  await page.keyboard.press('Backspace');
  if (value) await page.keyboard.type(value);
}

/** Text of the first element matching `selector`, '' when there is none. */
const textOf = (page: Page, selector: string) =>
  page.$eval(selector, (e) => e.textContent ?? '').catch(() => '');

export class SignInScreen {
  constructor(private readonly page: Page) {}

  async open(baseUrl: string): Promise<void> {
    await this.page.goto(`${baseUrl}/admin/`);
    await this.page.waitForSelector('textarea[name=token]');
  }

  /** Pastes the token and submits; waits for the orders screen or an error. */
  /**
   * Pastes `token` and submits; resolves once the orders show or a refusal other than the
   * one already on screen (a refusal stays shown until the next one replaces it).
   */
  async signIn(token: string): Promise<void> {
    const before = await this.page.$eval('.problem', (e) => e.textContent).catch(() => null);
    await typeInto(this.page, 'textarea[name=token]', token);
    await this.page.locator('button[type=submit]').click();
    const previous = JSON.stringify(before);
    await this.page.waitForFunction(
      `document.querySelector('#orders-title') !== null ||
       (document.querySelector('.problem')?.textContent ?? ${previous}) !== ${previous}`,
    );
  }

  error = () => textOf(this.page, '.problem');
  hint = () => textOf(this.page, '#dev-hint');
}

export class OrdersScreen {
  constructor(private readonly page: Page) {}

  async open(baseUrl: string): Promise<void> {
    await this.page.goto(`${baseUrl}/admin/#/orders`);
    await this.page.waitForSelector('table.orders[aria-busy=false]');
  }

  /** Sets the filters and applies them (Enter in the search field submits the form). */
  async filter(filters: { status?: string; search?: string }): Promise<void> {
    await this.page.select('select[name=status]', filters.status ?? '');
    await typeInto(this.page, 'input[name=search]', filters.search ?? '');
    await this.page.keyboard.press('Enter');
  }

  /** Waits until the list, loaded, shows exactly the orders `ids` (in any order). */
  async waitForRows(ids: string[], timeout = 5000): Promise<void> {
    await waitUntil(
      async () => {
        if (await this.page.$('table.orders[aria-busy=true]')) return false;
        const shown = await this.rowIds();
        return shown.length === ids.length && ids.every((id) => shown.includes(id));
      },
      timeout,
      `the list to show ${ids.join(', ')}`,
    );
  }

  rowIds = () =>
    this.page.$$eval('tr[data-order-id]', (rows) =>
      rows.map((r) => r.getAttribute('data-order-id')),
    );

  /** Waits until order `id`'s row shows `status`. */
  async waitForStatus(id: string, status: string, timeout: number): Promise<void> {
    await this.page.waitForSelector(`tr[data-order-id="${id}"] [data-status="${status}"]`, {
      timeout,
    });
  }

  totals = () => textOf(this.page, '[data-testid=totals]');

  async select(ids: string[]): Promise<void> {
    for (const id of ids) await this.page.click(`tr[data-order-id="${id}"] input[type=checkbox]`);
  }

  /** Ships the selected orders with one tracking number each; returns each order's outcome. */
  async bulkShip(tracking: Record<string, string>): Promise<Record<string, string>> {
    await this.page.locator('button ::-p-text(Ship selected)').click();
    await this.page.waitForSelector('dialog[open]');
    for (const [id, number] of Object.entries(tracking))
      await typeInto(this.page, `dialog input[name="value-${id}"]`, number);
    await this.page.locator('dialog button[type=submit]').click();
    await this.page.waitForSelector('.bulk-results');
    return Object.fromEntries(
      await this.page.$$eval('.bulk-results li', (items) =>
        items.map((li) => [li.getAttribute('data-result-for'), li.textContent ?? '']),
      ),
    );
  }
}

export class OrderScreen {
  constructor(private readonly page: Page) {}

  async open(baseUrl: string, id: string): Promise<void> {
    await this.page.goto(`${baseUrl}/admin/#/orders/${id}`);
    await this.page.waitForSelector('#order-title');
  }

  status = () =>
    this.page.$eval('#order-title [data-status]', (e) => e.getAttribute('data-status'));
  version = () => textOf(this.page, '[data-testid=version]');
  total = () => textOf(this.page, '[data-testid=total]');
  actions = () =>
    this.page.$$eval('[aria-label="Actions allowed now"] button', (b) =>
      b.map((x) => (x.textContent ?? '').replace('…', '')),
    );
  timeline = () =>
    this.page.$$eval('.timeline li', (items) => items.map((li) => li.textContent ?? ''));

  /** Opens the reprice form (the version on screen becomes its If-Match). */
  async openReprice(): Promise<void> {
    await this.page.locator('button ::-p-text(Reprice…)').click();
    await this.page.waitForSelector('form.action-form input[name=totalCents]');
  }

  /** Types the new total (major units) and sends it. */
  async submitReprice(total: string, reason?: string): Promise<void> {
    await typeInto(this.page, 'input[name=totalCents]', total);
    if (reason) await typeInto(this.page, 'form.action-form input[name=reason]', reason);
    await this.page.locator('form.action-form button[type=submit]').click();
  }

  async waitForVersion(version: number, timeout = 5000): Promise<void> {
    await this.page.waitForSelector(
      `::-p-xpath(//*[@data-testid="version"][text()="${version}"])`,
      { timeout },
    );
  }

  async waitForStatus(status: string, timeout: number): Promise<void> {
    await this.page.waitForSelector(`#order-title [data-status="${status}"]`, { timeout });
  }

  /** Waits for the refusal of a stale action and returns its text. */
  async conflict(): Promise<string> {
    await this.page.waitForSelector('.conflict');
    return textOf(this.page, '.conflict');
  }

  async reload(): Promise<void> {
    await this.page.locator('button ::-p-text(Reload the order)').click();
    await this.page.waitForSelector('.conflict', { hidden: true });
  }
}
