/**
 * Moving in-flight messages from the queue page, in headless Chromium: one row's Move (a
 * prompt asks for the queue) and a selection with Move selected, each through
 * POST /q/<q>/<receipt>/move. The messages land at the end of the target, their leases end and
 * their holders' receipts are stale (409). Screenshots: test-artifacts/dashboard/move-inflight*.png.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { post, req } from '../e2e/backends.js';
import { launchChromium, shot, skipReason } from './browser.js';

describe('dashboard: moving in-flight messages', { skip: skipReason() }, () => {
  let broker: TestBroker | undefined;
  let browser: Browser | undefined;
  const q = `held-${randomUUID().slice(0, 8)}`;
  const target = `${q}-parked`;
  const url = () => {
    assert.ok(broker, 'broker not started');
    return broker.url;
  };
  const stats = async (queue: string) => JSON.parse((await req(url(), 'GET', `/stats/${queue}`)).text) as { ready: number; inflight: number };
  const values = async (queue: string) =>
    (JSON.parse((await req(url(), 'GET', `/dashboard/api/queues/${queue}/messages?limit=100`)).text) as { messages: { value: string }[] }).messages.map((m) => m.value);

  before(async () => {
    broker = await startTestBroker('sqlite');
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await broker?.close();
  });

  it('moves one in-flight message and a selection to another queue, ending their leases', async () => {
    assert.ok(browser, 'browser started');
    await post(url(), target, 'parked before');
    for (const v of ['held 1', 'held 2', 'held 3', 'held 4']) await post(url(), q, v);
    const leases = JSON.parse((await req(url(), 'GET', `/q/${q}?lease=300&count=3`)).text) as { value: string; receipt: string }[];
    const receiptOf = (v: string) => leases.find((l) => l.value === v)!.receipt;

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    const prompts: string[] = [];
    page.on('dialog', (d) => {
      if (d.type() === 'prompt') prompts.push(d.message());
      void (d.type() === 'prompt' ? d.accept(target) : d.accept());
    });
    const row = (value: string) => page.locator('#peek tbody tr', { has: page.locator('td.value', { hasText: new RegExp(`^${value}$`) }) });
    const toast = (text: string) => page.locator('#toast', { hasText: text }).waitFor({ timeout: 10_000 });

    await page.goto(`${url()}/dashboard/#/queue/${q}`);
    await page.locator('#page-info', { hasText: '1–1 of 1' }).waitFor({ timeout: 10_000 });
    await page.selectOption('#peek-source', 'inflight');
    await page.locator('#page-info', { hasText: '1–3 of 3' }).waitFor({ timeout: 10_000 });

    await row('held 1').locator('button', { hasText: 'Move' }).click();
    await toast(`moved to ${target}`);
    assert.match(prompts[0] ?? '', /Its lease ends/, 'the prompt says what happens to the lease');
    assert.deepEqual(await stats(q).then((s) => [s.ready, s.inflight]), [1, 2], 'out of flight, not back in its queue');
    assert.deepEqual(await values(target), ['parked before', 'held 1'], 'at the end of the target');
    assert.equal((await req(url(), 'DELETE', `/q/${q}/${receiptOf('held 1')}`)).status, 409, 'its holder\'s receipt is stale');
    await page.locator('#page-info', { hasText: '1–2 of 2' }).waitFor({ timeout: 10_000 });

    await row('held 2').locator('td.pick input').check();
    await row('held 3').locator('td.pick input').check();
    await page.fill('#move-target', target);
    await page.screenshot({ path: shot('move-inflight'), fullPage: true });
    await page.click('#bulk-move button');
    await toast(`Moved 2 messages to ${target}`);
    assert.deepEqual(await stats(q).then((s) => [s.ready, s.inflight]), [1, 0], 'none in flight');
    assert.deepEqual(await values(target), ['parked before', 'held 1', 'held 2', 'held 3']);
    for (const v of ['held 2', 'held 3']) {
      assert.equal((await req(url(), 'POST', `/q/${q}/${receiptOf(v)}/nack`)).status, 409, `${v}: its holder's receipt is stale`);
    }
    await page.locator('#page-info', { hasText: '0 of 0' }).waitFor({ timeout: 10_000 });
    await page.selectOption('#peek-source', 'queue');
    await page.locator('#page-info', { hasText: '1–1 of 1' }).waitFor({ timeout: 10_000 });
    await page.goto(`${url()}/dashboard/#/queue/${target}`);
    await page.locator('#page-info', { hasText: '1–4 of 4' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: shot('move-inflight-after'), fullPage: true });
    assert.deepEqual(errors, [], 'no script or console errors');
    await page.close();
  });

  it('answers a move of a stale receipt with 409 and moves nothing', async () => {
    await post(url(), q, 'late');
    const lease = JSON.parse((await req(url(), 'GET', `/q/${q}?lease=300`)).text) as { receipt: string };
    assert.equal((await req(url(), 'DELETE', `/q/${q}/${lease.receipt}`)).status, 200);
    const r = await req(url(), 'POST', `/q/${q}/${lease.receipt}/move`, { form: { to: target } });
    assert.equal(r.status, 409);
    assert.equal((JSON.parse(r.text) as { code: string }).code, 'STALE_RECEIPT');
    assert.equal((await req(url(), 'POST', `/q/${q}/${lease.receipt}/move`)).status, 400, 'to is required');
    assert.equal((await stats(target)).ready, 4, 'nothing moved');
  });
});
