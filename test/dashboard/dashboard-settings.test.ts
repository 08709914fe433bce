/**
 * Queue settings on the dashboard, in headless Chromium: the queue page edits the default
 * lease, max attempts, dead-letter queue and policy through POST /p/<q> (the broker's own
 * route), and the queue list shows each dead-letter queue under its parent whatever the sort,
 * a custom one (setting `dead_letter`) under every queue that names it.
 * Screenshots: test-artifacts/dashboard/settings-*.png.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { post, req } from '../e2e/backends.js';
import { launchChromium, shot, skipReason } from './browser.js';

describe('dashboard: queue settings and dead-letter queues', { skip: skipReason() }, () => {
  let broker: TestBroker | undefined;
  let browser: Browser | undefined;
  const url = () => {
    assert.ok(broker, 'broker not started');
    return broker.url;
  };
  before(async () => {
    broker = await startTestBroker('sqlite');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await broker?.close();
  });

  async function open(hash: string): Promise<{ page: Page; errors: string[] }> {
    assert.ok(browser, 'browser started');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(`${url()}/dashboard/${hash}`);
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 10_000 });
    return { page, errors };
  }

  /** Leases and nacks one message of `q` until it dies (max_attempts 1). */
  async function killOne(q: string): Promise<void> {
    const leased = JSON.parse((await req(url(), 'GET', `/q/${q}?lease=30`)).text) as { receipt: string };
    assert.equal((await req(url(), 'POST', `/q/${q}/${leased.receipt}/nack`)).status, 200);
  }

  it('edits lease, max attempts, dead-letter queue and policy through POST /p/<q>', async () => {
    const q = `billing-${randomUUID().slice(0, 8)}`;
    await post(url(), q, JSON.stringify({ invoice: 7 }));
    const { page, errors } = await open(`#/queue/${q}`);
    await page.locator('#set-dlq', { hasText: `${q}.dead` }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#edit-dlq').inputValue(), `${q}.dead`, 'the form shows the current values');
    assert.equal(await page.locator('#edit-lease').inputValue(), '');

    await page.fill('#edit-lease', '45');
    await page.fill('#edit-attempts', '4');
    await page.fill('#edit-dlq', `${q}.failed`);
    await page.click('#settings-form button[type="submit"]');
    await page.locator('#toast', { hasText: `${q}: settings saved` }).waitFor({ timeout: 10_000 });
    await page.locator('#set-lease', { hasText: '45 s' }).waitFor({ timeout: 10_000 });
    await page.locator('#set-dlq', { hasText: `${q}.failed` }).waitFor({ timeout: 10_000 });
    await page.selectOption('#policy-select', 'roundrobin');
    await page.locator('#toast', { hasText: `${q}: policy roundrobin` }).waitFor({ timeout: 10_000 });

    const settings = JSON.parse((await req(url(), 'GET', `/p/${q}`)).text) as Record<string, unknown>;
    assert.deepEqual(settings, { queue: q, value: 'roundrobin', lease: 45, max_attempts: 4, dead_letter: `${q}.failed` }, 'the broker has them');
    assert.equal(await page.locator('#set-attempts').textContent(), '4');
    await page.screenshot({ path: shot('settings-saved'), fullPage: true });

    // A value the broker refuses shows its error and changes nothing.
    await page.locator('#edit-attempts').evaluate((e) => (e as unknown as { removeAttribute(n: string): void }).removeAttribute('max'));
    await page.fill('#edit-attempts', '100000');
    await page.click('#settings-form button[type="submit"]');
    await page.locator('#toast.error', { hasText: '400 INVALID_SETTING' }).waitFor({ timeout: 10_000 });
    assert.equal((JSON.parse((await req(url(), 'GET', `/p/${q}`)).text) as { max_attempts: number }).max_attempts, 4, 'unchanged');
    assert.deepEqual(errors.filter((e) => !e.includes('400')), [], 'no script errors');
    await page.close();
  });

  it('lists each dead-letter queue under its parent, whatever the sort', async () => {
    const base = `shipping-${randomUUID().slice(0, 8)}`;
    // `<base>-z` sorts between `<base>` and `<base>.dead` by name ('-' < '.').
    await req(url(), 'POST', `/p/${base}`, { form: { max_attempts: '1' } });
    for (const v of ['a', 'b', 'c']) await post(url(), base, v);
    await killOne(base);
    await killOne(base);
    await post(url(), `${base}-z`, 'other');
    const { page, errors } = await open('');
    await page.fill('#filter', base);
    const dead = page.locator(`#queues tr[data-queue="${base}.dead"]`);
    await dead.waitFor({ timeout: 10_000 });
    const order = () => page.locator('#queues tbody tr').evaluateAll((trs) => trs.map((t) => (t as unknown as { dataset: Record<string, string> }).dataset['queue']));
    assert.deepEqual(await order(), [base, `${base}.dead`, `${base}-z`], 'by name: the dead-letter queue follows its parent');
    assert.equal(await dead.getAttribute('data-parent'), base);
    assert.match((await dead.getAttribute('class')) ?? '', /dead-letter/);
    // Ready, descending (one click): the dead-letter queue (2 ready) would lead; it follows its parent (1).
    await page.click('#queues th[data-sort="ready"]');
    await page.locator('#queues th.sorted[data-sort="ready"]').waitFor();
    assert.deepEqual(await order(), [base, `${base}.dead`, `${base}-z`], 'sorted by ready: still under its parent');
    await page.screenshot({ path: shot('settings-dead-letter-nesting'), fullPage: true });
    assert.deepEqual(errors, [], 'no script or console errors');
    await page.close();
  });

  it('lists a custom dead-letter queue under every queue that names it', async () => {
    const id = randomUUID().slice(0, 8);
    const [orders, refunds, failed] = [`orders-${id}`, `refunds-${id}`, `failed-${id}`];
    // Both name `failed-<id>`, which sorts before them by name; `orders-<id>.dead` exists but is
    // not the dead-letter queue of orders any more.
    for (const q of [orders, refunds]) {
      await req(url(), 'POST', `/p/${q}`, { form: { max_attempts: '1', dead_letter: failed } });
      for (const v of ['a', 'b']) await post(url(), q, v);
      await killOne(q);
    }
    for (const v of ['left 1', 'left 2', 'left 3']) await post(url(), `${orders}.dead`, v);
    const { page, errors } = await open('');
    await page.fill('#filter', id);
    const rowsNow = () => page.locator('#queues tbody tr').evaluateAll((trs) =>
      trs.map((t) => { const d = (t as unknown as { dataset: Record<string, string> }).dataset; return `${d['parent'] ? '  ' : ''}${d['queue']}`; }));
    const expectRows = async (want: string[], what: string) => {
      const deadline = Date.now() + 15_000;
      let got = await rowsNow();
      while (JSON.stringify(got) !== JSON.stringify(want) && Date.now() < deadline) {
        await page.waitForTimeout(200);
        got = await rowsNow();
      }
      assert.deepEqual(got, want, what);
    };
    await expectRows([orders, `  ${failed}`, `${orders}.dead`, refunds, `  ${failed}`], 'by name: under each queue that names it');
    const nested = page.locator(`#queues tr.dead-letter[data-queue="${failed}"]`);
    assert.deepEqual(await nested.evaluateAll((trs) => trs.map((t) => (t as unknown as { dataset: Record<string, string> }).dataset['parent'])), [orders, refunds]);
    assert.doesNotMatch((await page.locator(`#queues tr[data-queue="${orders}.dead"]`).getAttribute('class')) ?? '', /dead-letter/, 'not nested: orders names another');
    assert.deepEqual(await nested.first().locator('td[data-col="ready"]').textContent(), '2', 'the dead letters of both');
    const deadCell = (q: string) => page.locator(`#queues tr[data-queue="${q}"]:not(.dead-letter) td[data-col="dead"]`);
    assert.equal(await deadCell(orders).textContent(), '2', 'Dead counts its own dead-letter queue, not orders.dead (3)');
    assert.equal(await deadCell(orders).getAttribute('title'), `in ${failed}`);
    // Ready, descending: the leftovers (3) lead; the custom one (2) still follows each parent (1).
    await page.click('#queues th[data-sort="ready"]');
    await page.locator('#queues th.sorted[data-sort="ready"]').waitFor();
    await expectRows([`${orders}.dead`, orders, `  ${failed}`, refunds, `  ${failed}`], 'sorted by ready: still under each parent');
    await page.screenshot({ path: shot('settings-custom-dead-letter'), fullPage: true });
    // refunds goes back to the default: the table follows within its refresh.
    await req(url(), 'POST', `/p/${refunds}`, { form: { max_attempts: '1', dead_letter: `${refunds}.dead` } });
    await expectRows([`${orders}.dead`, orders, `  ${failed}`, refunds], 'refunds no longer names it');
    assert.deepEqual(errors, [], 'no script or console errors');
    await page.close();
  });
});
