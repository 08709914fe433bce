/**
 * The queue page's message lists, in headless Chromium: ready (paged, oldest first), in
 * flight with lease deadline and attempts, delayed with due time, and the dead-letter
 * queue's messages with where they died; search by key and by value; JSON values indented.
 * Also the JSON route behind them. Screenshots: test-artifacts/dashboard/messages-*.png.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { post, req } from '../e2e/backends.js';
import { launchChromium, shot, skipReason } from './browser.js';

describe('dashboard: message lists by state', { skip: skipReason() }, () => {
  let broker: TestBroker | undefined;
  let browser: Browser | undefined;
  const q = `orders-${randomUUID().slice(0, 8)}`;
  const url = () => {
    assert.ok(broker, 'broker not started');
    return broker.url;
  };
  before(async () => {
    broker = await startTestBroker('sqlite');
    browser = await launchChromium();
    // One message dies (one attempt allowed), 28 JSON orders and a needle wait, two of the
    // orders are leased, one message is delayed.
    await req(url(), 'POST', `/p/${q}`, { form: { max_attempts: '1' } });
    await post(url(), q, 'poison pill');
    const leased = JSON.parse((await req(url(), 'GET', `/q/${q}?lease=30`)).text) as { receipt: string };
    assert.equal((await req(url(), 'POST', `/q/${q}/${leased.receipt}/nack`)).status, 200);
    for (let i = 0; i < 30; i++) await post(url(), q, JSON.stringify({ order: i, items: ['book', 'pen'] }));
    await post(url(), q, 'a needle in the haystack');
    assert.equal((await req(url(), 'GET', `/q/${q}?lease=60&count=2`)).status, 200);
    assert.equal((await req(url(), 'POST', `/q/${q}`, { form: { value: 'later', delay: '120' } })).status, 200);
  });
  after(async () => {
    await browser?.close();
    await broker?.close();
  });

  it('the JSON route pages, searches and refuses a bad state', async () => {
    const page = JSON.parse((await req(url(), 'GET', `/dashboard/api/queues/${q}/messages?limit=5&offset=2`)).text) as { total: number; messages: { key: string }[] };
    assert.equal(page.total, 29);
    assert.equal(page.messages.length, 5);
    const found = JSON.parse((await req(url(), 'GET', `/dashboard/api/queues/${q}/messages?value=needle`)).text) as { total: number; complete: boolean; messages: { value: string }[] };
    assert.deepEqual([found.total, found.complete, found.messages.map((m) => m.value)], [1, true, ['a needle in the haystack']]);
    const inflight = JSON.parse((await req(url(), 'GET', `/dashboard/api/queues/${q}/messages?state=inflight`)).text) as { messages: { attempts: number; at: number }[] };
    assert.equal(inflight.messages.length, 2);
    assert.ok(inflight.messages.every((m) => m.attempts === 1 && m.at > Date.now()), 'attempts and a deadline ahead');
    const bad = await req(url(), 'GET', `/dashboard/api/queues/${q}/messages?state=gone`);
    assert.equal(bad.status, 400);
    assert.equal((JSON.parse(bad.text) as { code: string }).code, 'INVALID_PAGE');
    assert.equal((await req(url(), 'GET', `/dashboard/api/queues/${q}/messages?limit=101`)).status, 400);
  });

  it('lists each state on the queue page, pages, searches and indents JSON', async () => {
    assert.ok(browser, 'browser started');
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(`${url()}/dashboard/#/queue/${q}`);
    await page.locator('#page-info', { hasText: '1–25 of 29' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#peek tbody tr').count(), 25);
    const firstValue = await page.locator('#peek tbody tr td.value div').first().textContent();
    assert.match(firstValue ?? '', /^\{\n {2}"order": 2,\n {2}"items": \[/, `indented JSON, oldest ready first: ${firstValue}`);
    await page.screenshot({ path: shot('messages-ready'), fullPage: true });
    await page.click('#page-next');
    await page.locator('#page-info', { hasText: '26–29 of 29' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#peek tbody tr').last().locator('td.value').textContent(), 'a needle in the haystack');

    await page.fill('#search-value', 'needle');
    await page.click('#msg-search button');
    await page.locator('#page-info', { hasText: '1–1 of 1' }).waitFor({ timeout: 10_000 });
    await page.fill('#search-value', '');
    await page.fill('#search-key', `${q}:10`);
    await page.click('#msg-search button');
    // The page info reads as the previous search's: wait for the row itself.
    await page.locator(`#peek tbody tr[data-key="${q}:10"]`).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#page-info').textContent(), '1–1 of 1');
    assert.equal(await page.locator('#peek tbody tr').count(), 1);
    await page.fill('#search-key', '');
    await page.click('#msg-search button');

    await page.selectOption('#peek-source', 'inflight');
    await page.locator('#page-info', { hasText: '1–2 of 2' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#peek-at').textContent(), 'Lease');
    assert.match((await page.locator('#peek tbody tr td.when').first().textContent()) ?? '', /^lease ends in \d+s$/);
    assert.equal(await page.locator('#peek tbody tr td.attempts').first().textContent(), '1', 'one attempt');
    await page.screenshot({ path: shot('messages-inflight'), fullPage: true });

    await page.selectOption('#peek-source', 'delayed');
    await page.locator('#page-info', { hasText: '1–1 of 1' }).waitFor({ timeout: 10_000 });
    assert.match((await page.locator('#peek tbody tr td.when').first().textContent()) ?? '', /^due in (1m 5\d|[12]m \d+)s$/);

    await page.selectOption('#peek-source', 'dead');
    // As many as delayed: wait for the dead letter itself.
    await page.locator('#peek tbody tr td.value', { hasText: 'poison pill' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#page-info').textContent(), '1–1 of 1');
    assert.equal(await page.locator('#peek tbody tr td.when').first().textContent(), `from ${q}`);
    assert.equal(await page.locator('#peek tbody tr td.value').first().textContent(), 'poison pill');
    await page.screenshot({ path: shot('messages-dead'), fullPage: true });
    assert.deepEqual(errors, [], 'no script or console errors');
    await page.close();
  });
});
