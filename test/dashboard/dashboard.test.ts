/**
 * The dashboard in a real browser (headless Chromium via playwright-core) against a real
 * broker on a private Redis: the page shows queues posted before it loaded, follows a POST
 * live over SSE without a reload, runs actions (stop/start, send, purge) through the broker's
 * routes, lists streaming consumers, and hides every action in read-only mode.
 * Screenshots: test-artifacts/dashboard/*.png.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { startRedis, type RedisServer } from '../harness/redis.js';
import { WsClient } from '../harness/stream-clients.js';
import { post, qname, req } from '../e2e/backends.js';
import { launchChromium, shot, skipReason } from './browser.js';

const skip = skipReason();

/** The text of one cell of a queue's row in the table. */
const cell = (page: Page, queue: string, col: string) => page.locator(`#queues tr[data-queue="${queue}"] td[data-col="${col}"]`);

describe('dashboard in Chromium', { skip }, () => {
  let redis: RedisServer | undefined;
  let broker: TestBroker | undefined;
  let readOnly: TestBroker | undefined;
  let browser: Browser | undefined;
  const url = () => {
    assert.ok(broker, 'broker not started');
    return broker.url;
  };

  let guarded: TestBroker | undefined;
  const aclDir = mkdtempSync(join(tmpdir(), 'restmq-dashboard-acl-'));

  before(async () => {
    redis = await startRedis();
    broker = await startTestBroker('redis', { redis });
    readOnly = await startTestBroker('redis', { redis, flags: { 'read-only-dashboard': 'true' } });
    // Viewers may read (the dashboard is rest:consumer); only the operator may act (admin).
    const acl = join(aclDir, 'acl.ini');
    writeFileSync(acl, '[rest:consumer]\nusername = viewer\npassword = look\n\n[admin]\nusername = operator\npassword = act\n');
    guarded = await startTestBroker('redis', { redis, flags: { acl } });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await guarded?.close();
    await readOnly?.close();
    await broker?.close();
    await redis?.stop();
    rmSync(aclDir, { recursive: true, force: true });
  });

  const pageErrors = new WeakMap<Page, string[]>();

  /** Opens the dashboard and waits until its live feed is connected. */
  async function open(base: string, hash = '', credentials?: { username: string; password: string }): Promise<Page> {
    assert.ok(browser, 'browser not started');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, ...(credentials ? { httpCredentials: credentials } : {}) });
    const errors: string[] = [];
    pageErrors.set(page, errors);
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${base}/dashboard/${hash}`);
    await page.locator('#live[data-state="live"]').waitFor({ timeout: 10_000 });
    return page;
  }

  /** Screenshot, then close; the page must have logged no script error on the way. */
  async function done(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: shot(name), fullPage: true });
    assert.deepEqual(pageErrors.get(page), [], 'no script or console errors');
    await page.close();
  }

  it('loads, shows a queue posted before, and follows a POST live without a reload', async () => {
    const q = qname();
    for (const v of ['a', 'b', 'c']) await post(url(), q, v);
    const page = await open(url());
    await cell(page, q, 'ready').filter({ hasText: /^3$/ }).waitFor({ timeout: 10_000 });
    assert.equal(await cell(page, q, 'status').textContent(), 'started');
    assert.ok(await page.locator('#chart-rates canvas').count(), 'the rates chart is drawn');
    // A marker on window survives only if the page is not reloaded.
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
    await post(url(), q, 'd');
    await post(url(), q, 'e');
    await cell(page, q, 'ready').filter({ hasText: /^5$/ }).waitFor({ timeout: 10_000 });
    assert.equal(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded), true, 'updated in place over SSE');
    await cell(page, q, 'enqueued').filter({ hasText: /^[1-9]/ }).waitFor({ timeout: 10_000 });
    await done(page, 'overview');
  });

  it('queue page: stop and start, policy switch, send a message that the peek shows, purge', async () => {
    const q = qname();
    await post(url(), q, 'already here');
    const page = await open(url(), `#/queue/${q}`);
    await page.locator('#peek tbody tr').first().waitFor();
    assert.equal(await page.locator('#peek tbody tr td.value').first().textContent(), 'already here');

    await page.click('#btn-toggle');
    await page.locator('#q-status', { hasText: 'stopped' }).waitFor({ timeout: 10_000 });
    const control = await req(url(), 'GET', `/control/${q}`);
    assert.match(control.text, /"status": 0/, 'the broker has the queue stopped');
    await page.click('#btn-toggle');
    await page.locator('#q-status', { hasText: 'started' }).waitFor({ timeout: 10_000 });

    await page.selectOption('#policy-select', 'roundrobin');
    await page.locator('#q-policy', { hasText: 'roundrobin' }).waitFor({ timeout: 10_000 });
    assert.match((await req(url(), 'GET', `/p/${q}`)).text, /"value": "roundrobin"/, 'the broker has the new policy');

    await page.fill('#send-value', '{"order": 42}');
    await page.click('#send-form button[type="submit"]');
    await page.locator('#toast', { hasText: `Sent ${q}:2` }).waitFor({ timeout: 10_000 });
    await page.locator('[data-q="ready"]', { hasText: /^2$/ }).waitFor({ timeout: 10_000 });
    await page.locator('#peek tbody td.value', { hasText: '"order": 42' }).waitFor({ timeout: 10_000 });
    await page.fill('#send-value', 'later');
    await page.fill('#send-delay', '600');
    await page.click('#send-form button[type="submit"]');
    await page.locator('[data-q="delayed"]', { hasText: /^1$/ }).waitFor({ timeout: 10_000 });
    await page.fill('#send-delay', '');
    await page.screenshot({ path: shot('queue'), fullPage: true });

    await page.click('#btn-purge');
    await page.locator('[data-q="ready"]', { hasText: /^0$/ }).waitFor({ timeout: 10_000 });
    const stats = JSON.parse((await req(url(), 'GET', `/stats/${q}`)).text) as { len: number };
    assert.equal(stats.len, 0, 'the purge reached the broker');
    await done(page, 'queue-purged');
  });

  it('lists connected streaming consumers with transport and address', async () => {
    const q = qname();
    const ws = await WsClient.open(url(), q);
    try {
      const page = await open(url(), '#/consumers');
      const row = page.locator('#consumers tbody tr', { hasText: q });
      await row.waitFor({ timeout: 10_000 });
      const text = await row.textContent();
      assert.match(text ?? '', /ws/);
      assert.match(text ?? '', /127\.0\.0\.1/);
      await done(page, 'consumers');
    } finally {
      ws.socket.close();
    }
  });

  it('--read-only-dashboard hides every action', async () => {
    assert.ok(readOnly, 'read-only broker not started');
    const q = qname();
    await post(readOnly.url, q, 'look, do not touch');
    const page = await open(readOnly.url);
    await cell(page, q, 'ready').filter({ hasText: /^1$/ }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#read-only').isVisible(), true, 'the read-only badge shows');
    assert.equal(await page.locator('button:visible').count(), 0, 'no button on the overview');
    await page.goto(`${readOnly.url}/dashboard/#/queue/${q}`);
    await page.locator('#peek tbody tr').first().waitFor({ timeout: 10_000 });
    for (const sel of ['#send-form', '#btn-toggle', '#btn-purge', '#btn-delete', '#btn-redrive', '#policy-select', '#settings-form', '#bulk-bar', '#btn-purge-dead', '#peek td.row-actions']) assert.equal(await page.locator(sel).count(), 0, `${sel} is gone`);
    // Only the message list's search and paging remain: they read, never change.
    const buttons = await page.locator('button:visible').evaluateAll((bs) => bs.map((b) => (b as unknown as { id: string; textContent: string }).id || (b as unknown as { textContent: string }).textContent));
    assert.deepEqual(buttons.sort(), ['Search', 'page-next', 'page-prev'], 'no button that changes anything on the queue page');
    assert.equal(await page.locator('#peek td.pick input').count(), 0, 'no selection boxes');
    // In flight too: no Requeue, Move or Delete on a leased message.
    await post(readOnly.url, q, 'leased, do not touch');
    assert.equal((await req(readOnly.url, 'GET', `/q/${q}?lease=300&count=2`)).status, 200);
    await page.selectOption('#peek-source', 'inflight');
    await page.locator('#page-info', { hasText: '1–2 of 2' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('#peek td.row-actions').count(), 0, 'no actions on in-flight rows');
    assert.equal(await page.locator('#peek button', { hasText: 'Move' }).count(), 0, 'no Move');
    assert.equal(await page.locator('#bulk-move').count(), 0, 'no Move selected');
    await done(page, 'read-only');
  });

  it('works behind the ACL: a viewer sees live figures, and an admin action is refused with a visible error', async () => {
    assert.ok(guarded, 'guarded broker not started');
    const q = qname();
    const viewer = { authorization: `Basic ${Buffer.from('viewer:look').toString('base64')}` };
    assert.equal((await req(guarded.url, 'GET', '/dashboard/')).status, 401, 'the page needs credentials');
    assert.equal((await req(guarded.url, 'POST', `/q/${q}`, { form: { value: 'v' }, headers: viewer })).status, 200);
    const page = await open(guarded.url, `#/queue/${q}`, { username: 'viewer', password: 'look' });
    await page.locator('[data-q="ready"]', { hasText: /^1$/ }).waitFor({ timeout: 10_000 });
    // Only this failure is expected in the console: the refused action's 401.
    page.removeAllListeners('console');
    await page.click('#btn-toggle');
    await page.locator('#toast.error', { hasText: '401' }).waitFor({ timeout: 10_000 });
    assert.match((await req(guarded.url, 'GET', `/control/${q}`, { headers: viewer })).text, /"status": 1/, 'the queue is still started');
    await done(page, 'acl-refused');
  });
});
