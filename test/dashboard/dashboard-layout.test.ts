/**
 * How the dashboard looks, in headless Chromium: the operating system's dark scheme turns the
 * page dark (computed colours), a phone-sized window (390 px) with 128-character queue names
 * never scrolls the page sideways, and the charts' range picker reaches back an hour.
 * Screenshots: test-artifacts/dashboard/layout-*.png.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { post, req } from '../e2e/backends.js';
import { launchChromium, shot, skipReason } from './browser.js';

/** Longest name a queue can have: 128 characters. */
const longName = (tag: string) => `${tag}-${randomUUID()}-`.padEnd(128, 'x');

describe('dashboard layout in Chromium', { skip: skipReason() }, () => {
  let broker: TestBroker | undefined;
  let browser: Browser | undefined;
  const long = longName('orders.invoices');
  const other = longName('payments');

  before(async () => {
    broker = await startTestBroker('memory');
    browser = await launchChromium();
    for (const q of [long, other]) await post(broker.url, q, JSON.stringify({ id: 1, note: 'a message' }));
    await req(broker.url, 'POST', `/p/${long}`, { form: { max_attempts: '3', lease: '30' } });
  });
  after(async () => {
    await browser?.close();
    await broker?.close();
  });

  async function open(width: number, scheme: 'light' | 'dark', hash = ''): Promise<{ page: Page; errors: string[] }> {
    assert.ok(browser && broker, 'browser and broker started');
    const page = await browser.newPage({ viewport: { width, height: 844 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(`${broker.url}/dashboard/${hash}`);
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 10_000 });
    return { page, errors };
  }

  const colours = (page: Page) =>
    page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: object; querySelector(s: string): object } }).document;
      const g = globalThis as unknown as { getComputedStyle(e: object): { backgroundColor: string; color: string } };
      return { page: g.getComputedStyle(d.documentElement).backgroundColor, panel: g.getComputedStyle(d.querySelector('.panel')).backgroundColor, text: g.getComputedStyle(d.documentElement).color };
    });
  const overflow = (page: Page) =>
    page.evaluate(() => {
      const e = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
      return e.scrollWidth;
    });
  /** Perceived brightness 0–255 of an `rgb(r, g, b)` colour. */
  const brightness = (rgb: string) => {
    const [r, g, b] = (rgb.match(/\d+/g) ?? []).map(Number);
    return 0.299 * r! + 0.587 * g! + 0.114 * b!;
  };

  it('follows prefers-color-scheme: dark background and light text in dark mode, light otherwise', async () => {
    const light = await open(1400, 'light');
    const l = await colours(light.page);
    assert.ok(brightness(l.page) > 200 && brightness(l.panel) > 200, `light page: ${JSON.stringify(l)}`);
    await light.page.close();

    const dark = await open(1400, 'dark');
    await dark.page.locator(`#queues tr[data-queue="${long}"]`).waitFor({ timeout: 10_000 });
    const d = await colours(dark.page);
    assert.ok(brightness(d.page) < 50 && brightness(d.panel) < 60, `dark page: ${JSON.stringify(d)}`);
    assert.ok(brightness(d.text) > 180, `light text on dark: ${d.text}`);
    await dark.page.screenshot({ path: shot('layout-dark-overview'), fullPage: true });
    await dark.page.goto(`${broker!.url}/dashboard/#/queue/${long}`);
    await dark.page.locator('#peek tbody tr').first().waitFor({ timeout: 10_000 });
    await dark.page.screenshot({ path: shot('layout-dark-queue'), fullPage: true });
    assert.deepEqual(dark.errors, [], 'no script or console errors');
    await dark.page.close();
  });

  it('holds at 390 px with 128-character queue names: no sideways scrolling of the page', async () => {
    const { page, errors } = await open(390, 'light');
    await page.locator(`#queues tr[data-queue="${long}"]`).waitFor({ timeout: 10_000 });
    assert.ok((await overflow(page)) <= 390, `overview page width ${await overflow(page)} px`);
    await page.screenshot({ path: shot('layout-390-overview'), fullPage: true });

    await page.goto(`${broker!.url}/dashboard/#/queue/${long}`);
    await page.locator('#q-name', { hasText: long }).waitFor({ timeout: 10_000 });
    await page.locator('#peek tbody tr').first().waitFor({ timeout: 10_000 });
    assert.ok((await overflow(page)) <= 390, `queue page width ${await overflow(page)} px`);
    await page.screenshot({ path: shot('layout-390-queue'), fullPage: true });

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${broker!.url}/dashboard/#/consumers`);
    await page.locator('#consumers-empty').waitFor({ timeout: 10_000 });
    assert.ok((await overflow(page)) <= 390, `consumers page width ${await overflow(page)} px`);
    assert.deepEqual(errors, [], 'no script or console errors');
    await page.close();
  });

  it('the charts show up to an hour: the range picker widens the time axis', async () => {
    const { page, errors } = await open(1400, 'light');
    await page.waitForFunction(() => Number((globalThis as unknown as { document: { body: { dataset: Record<string, string | undefined> } } }).document.body.dataset['samples']) >= 3, undefined, { timeout: 10_000 });
    assert.deepEqual(await page.locator('#range option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value)), ['300', '900', '3600']);
    await page.selectOption('#range', '3600');
    assert.equal(await page.locator('#range').inputValue(), '3600');
    await page.screenshot({ path: shot('layout-range-hour'), fullPage: false });
    assert.deepEqual(errors, [], 'no script or console errors');
    await page.close();
  });
});
