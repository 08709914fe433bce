/**
 * Acting on messages from the queue page, in headless Chromium, through the broker's own
 * routes: delete one (JSON protocol `del`), move a selection to another queue (a send, then a
 * delete), requeue a dead letter to where it died, delete a selection of dead letters, and
 * delete all dead letters (DELETE /q/<dlq>). Screenshots: test-artifacts/dashboard/actions-*.png.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { post, req } from '../e2e/backends.js';
import { launchChromium, shot, skipReason } from './browser.js';

describe('dashboard: message actions', { skip: skipReason() }, () => {
  let broker: TestBroker | undefined;
  let browser: Browser | undefined;
  const q = `jobs-${randomUUID().slice(0, 8)}`;
  const other = `${q}-archive`;
  const url = () => {
    assert.ok(broker, 'broker not started');
    return broker.url;
  };
  const stats = async (queue: string) => JSON.parse((await req(url(), 'GET', `/stats/${queue}`)).text) as { ready: number; dead: number };
  const values = async (queue: string) =>
    (JSON.parse((await req(url(), 'GET', `/dashboard/api/queues/${queue}/messages?limit=100`)).text) as { messages: { value: string }[] }).messages.map((m) => m.value);

  before(async () => {
    broker = await startTestBroker('sqlite');
    browser = await launchChromium();
    await req(url(), 'POST', `/p/${q}`, { form: { max_attempts: '1' } });
    for (const v of ['dead 1', 'dead 2', 'dead 3']) {
      await post(url(), q, v);
      const leased = JSON.parse((await req(url(), 'GET', `/q/${q}?lease=30`)).text) as { receipt: string };
      assert.equal((await req(url(), 'POST', `/q/${q}/${leased.receipt}/nack`)).status, 200);
    }
    for (const v of ['ready 1', 'ready 2', 'ready 3']) await post(url(), q, v);
  });
  after(async () => {
    await browser?.close();
    await broker?.close();
  });

  let page: Page;
  const errors: string[] = [];
  const row = (value: string) => page.locator('#peek tbody tr', { has: page.locator('td.value', { hasText: new RegExp(`^${value}$`) }) });
  const toast = (text: string) => page.locator('#toast', { hasText: text }).waitFor({ timeout: 10_000 });

  it('deletes, moves and requeues single messages and selections', async () => {
    assert.ok(browser, 'browser started');
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${url()}/dashboard/#/queue/${q}`);
    await page.locator('#page-info', { hasText: '1–3 of 3' }).waitFor({ timeout: 10_000 });

    await row('ready 1').locator('button', { hasText: 'Delete' }).click();
    await toast('deleted');
    await page.locator('#page-info', { hasText: '1–2 of 2' }).waitFor({ timeout: 10_000 });
    assert.deepEqual(await values(q), ['ready 2', 'ready 3'], 'deleted in the broker');

    await row('ready 2').locator('td.pick input').check();
    // A new message moves the counts and the list refreshes: the tick stays.
    await post(url(), q, 'ready 4');
    await row('ready 4').waitFor({ timeout: 10_000 });
    assert.equal(await row('ready 2').locator('td.pick input').isChecked(), true, 'still selected after a refresh');
    await page.fill('#move-target', other);
    await page.click('#bulk-move button');
    await toast(`Moved 1 message to ${other}`);
    assert.deepEqual(await values(q), ['ready 3', 'ready 4']);
    assert.deepEqual(await values(other), ['ready 2'], 'in the other queue');

    await page.selectOption('#peek-source', 'dead');
    await page.locator('#page-info', { hasText: '1–3 of 3' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: shot('actions-dead'), fullPage: true });
    await row('dead 1').locator('button', { hasText: 'Requeue' }).click();
    await toast(`back in ${q}`);
    assert.deepEqual(await values(q), ['ready 3', 'ready 4', 'dead 1'], 'requeued where it died');
    await page.locator('#page-info', { hasText: '1–2 of 2' }).waitFor({ timeout: 10_000 });

    await row('dead 2').locator('td.pick input').check();
    await page.click('#bulk-delete');
    await toast('Deleted 1 message');
    assert.deepEqual(await values(`${q}.dead`), ['dead 3']);
    assert.deepEqual(errors, [], 'no script or console errors');
  });

  it('deletes all dead letters and requeues all of them', async () => {
    await page.click('#btn-purge-dead');
    await toast(`${q}.dead: purged`);
    assert.equal((await stats(q)).dead, 0, 'the dead-letter queue is empty');
    await page.locator('#page-info', { hasText: '0 of 0' }).waitFor({ timeout: 10_000 });
    // Two more die; Requeue all (redrive) sends them back.
    for (let i = 0; i < 2; i++) {
      const leased = JSON.parse((await req(url(), 'GET', `/q/${q}?lease=30`)).text) as { receipt: string };
      assert.equal((await req(url(), 'POST', `/q/${q}/${leased.receipt}/nack`)).status, 200);
    }
    await page.locator('#dlq-count', { hasText: /^2$/ }).waitFor({ timeout: 10_000 });
    await page.click('#btn-redrive');
    await toast('Moved 2 messages');
    assert.deepEqual(await stats(q).then((s) => [s.ready, s.dead]), [3, 0]);
    await page.screenshot({ path: shot('actions-after'), fullPage: true });
    assert.deepEqual(errors, [], 'no script or console errors');
    await page.close();
  });

  it('requeues an in-flight message (a nack of its lease) and deletes one (an ack)', async () => {
    assert.ok(browser, 'browser started');
    const held = `${q}-held`;
    for (const v of ['held 1', 'held 2', 'held 3']) await post(url(), held, v);
    const leases = JSON.parse((await req(url(), 'GET', `/q/${held}?lease=300&count=2`)).text) as { value: string; receipt: string }[];
    const receiptOf = (v: string) => leases.find((l) => l.value === v)!.receipt;
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${url()}/dashboard/#/queue/${held}`);
    await page.locator('#page-info', { hasText: '1–1 of 1' }).waitFor({ timeout: 10_000 });
    await page.selectOption('#peek-source', 'inflight');
    await page.locator('#page-info', { hasText: '1–2 of 2' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: shot('actions-inflight'), fullPage: true });
    assert.equal(await page.locator('#bulk-move').isVisible(), true, 'in-flight messages can be moved too (dashboard-move-inflight.test.ts)');

    await row('held 1').locator('button', { hasText: 'Requeue' }).click();
    await toast(`back in ${held}`);
    const s1 = JSON.parse((await req(url(), 'GET', `/stats/${held}`)).text) as { ready: number; inflight: number };
    assert.deepEqual([s1.ready, s1.inflight], [2, 1], 'back in the queue');
    assert.equal((await req(url(), 'DELETE', `/q/${held}/${receiptOf('held 1')}`)).status, 409, 'its holder\'s receipt is stale');

    await row('held 2').locator('button', { hasText: 'Delete' }).click();
    await toast('deleted');
    const s2 = JSON.parse((await req(url(), 'GET', `/stats/${held}`)).text) as { ready: number; inflight: number };
    assert.deepEqual([s2.ready, s2.inflight], [2, 0], 'acknowledged: gone');
    assert.deepEqual(await values(held), ['held 1', 'held 3']);
    assert.deepEqual(errors, [], 'no script or console errors');
    await page.close();
  });
});
