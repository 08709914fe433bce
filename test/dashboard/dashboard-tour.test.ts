/**
 * The dashboard on a busy broker, in headless Chromium: several queues in different states
 * (streaming consumers by transport, a stopped queue, dead letters, a steady producer), the
 * table and charts following them live, and dead letters redriven from the queue page. Its
 * screenshots (test-artifacts/dashboard/tour-*.png) show the dashboard as an operator sees it.
 * The broker has its own memory store, so the short readable queue names meet nobody else's.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { SseClient, WsClient } from '../harness/stream-clients.js';
import { post, req } from '../e2e/backends.js';
import { launchChromium, shot, skipReason } from './browser.js';

const run = randomUUID().slice(0, 6);
const Q = { orders: `orders-${run}`, emails: `emails-${run}`, thumbs: `thumbnails-${run}`, events: `events-${run}`, payments: `payments-${run}` };

describe('dashboard tour in Chromium', { skip: skipReason() }, () => {
  let broker: TestBroker | undefined;
  let browser: Browser | undefined;
  const streams: { close(): void }[] = [];

  before(async () => {
    broker = await startTestBroker('memory');
    browser = await launchChromium();
  });
  after(async () => {
    for (const s of streams) s.close();
    await browser?.close();
    await broker?.close();
  });

  it('shows every queue state live and redrives dead letters from the queue page', async () => {
    assert.ok(broker && browser, 'broker and browser started');
    const url = broker.url;
    // orders: two WebSocket consumers sharing it in turn, fed by a producer below.
    await req(url, 'POST', `/p/${Q.orders}`, { form: { policy: 'roundrobin' } });
    for (let i = 0; i < 2; i++) {
      const ws = await WsClient.open(url, Q.orders);
      streams.push({ close: () => ws.socket.close() });
    }
    // events: a leased SSE consumer that never acknowledges (its messages stay in flight).
    const sse = await SseClient.open(url, `/sse/${Q.events}?lease=60`);
    streams.push(sse);
    for (let i = 0; i < 25; i++) await post(url, Q.events, `event ${i}`);
    // emails: stopped, with a backlog.
    await req(url, 'POST', `/q/${Q.emails}?batch=1`, { body: JSON.stringify(Array.from({ length: 40 }, (_, i) => `mail ${i}`)), type: 'application/json' });
    await req(url, 'POST', `/control/${Q.emails}`, { form: { status: 'stop' } });
    // payments: one attempt allowed, so two nacked messages die.
    await req(url, 'POST', `/p/${Q.payments}`, { form: { max_attempts: '1' } });
    for (const id of [1, 2, 3]) await post(url, Q.payments, JSON.stringify({ payment: id, amount: id * 25 }));
    for (let i = 0; i < 2; i++) {
      const leased = JSON.parse((await req(url, 'GET', `/q/${Q.payments}?lease=30`)).text) as { receipt: string };
      assert.equal((await req(url, 'POST', `/q/${Q.payments}/${leased.receipt}/nack`)).status, 200);
    }

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(`${url}/dashboard/`);
    // A bounded producer (5 messages per queue every 100 ms, 3,000 at most) and a worker that
    // leases thumbnails and acknowledges them, while the page watches.
    let sent = 0;
    // Requests run concurrently; each one's outcome is kept and checked once the producer stops.
    const inFlight = new Set<Promise<unknown>>();
    const failures: unknown[] = [];
    const track = (p: Promise<unknown>) => {
      const t = p.catch((err: unknown) => failures.push(err)).finally(() => inFlight.delete(t));
      inFlight.add(t);
    };
    const producer = setInterval(() => {
      if (sent >= 3000) return;
      sent += 10;
      for (let i = 0; i < 5; i++) track(post(url, Q.orders, JSON.stringify({ order: sent + i })));
      for (let i = 0; i < 5; i++) track(post(url, Q.thumbs, `resize ${sent + i}.png`));
      track(req(url, 'GET', `/q/${Q.thumbs}?lease=30&count=4`).then(async (r) => {
        if (r.status !== 200) return;
        for (const m of JSON.parse(r.text) as { receipt: string }[]) await req(url, 'DELETE', `/q/${Q.thumbs}/${m.receipt}`);
      }));
    }, 100);
    try {
      const row = (q: string, col: string) => page.locator(`#queues tr[data-queue="${q}"] td[data-col="${col}"]`);
      await row(Q.orders, 'consumers').filter({ hasText: 'ws 2' }).waitFor({ timeout: 10_000 });
      await row(Q.events, 'consumers').filter({ hasText: 'sse 1' }).waitFor({ timeout: 10_000 });
      await row(Q.thumbs, 'acked').filter({ hasText: /^[1-9]/ }).waitFor({ timeout: 10_000 });
      await row(Q.orders, 'delivered').filter({ hasText: /^[1-9]/ }).waitFor({ timeout: 10_000 });
      await row(Q.emails, 'status').filter({ hasText: 'stopped' }).waitFor({ timeout: 10_000 });
      await row(Q.payments, 'dead').filter({ hasText: /^2$/ }).waitFor({ timeout: 10_000 });
      // Let the charts gather a few seconds of samples.
      await page.locator('[data-total="delivered"]').filter({ hasText: /^[1-9]/ }).waitFor({ timeout: 10_000 });
      // Enough samples for a chart worth looking at (the page counts them on <body>).
      await page.waitForFunction(
        () => Number((globalThis as unknown as { document: { body: { dataset: Record<string, string | undefined> } } }).document.body.dataset['samples']) >= 8,
        undefined,
        { timeout: 15_000 },
      );
      await page.screenshot({ path: shot('tour-overview'), fullPage: true });
    } finally {
      clearInterval(producer);
      await Promise.all([...inFlight]);
    }
    assert.ok(sent <= 3000, 'the producer stayed bounded');
    assert.deepEqual(failures, [], 'every producer and worker request succeeded');

    await page.click(`#queues tr[data-queue="${Q.payments}"] td[data-col="queue"] a`);
    await page.locator('#q-name', { hasText: Q.payments }).waitFor();
    await page.locator('#dlq-count', { hasText: /^2$/ }).waitFor({ timeout: 10_000 });
    await page.selectOption('#peek-source', 'dead');
    await page.locator('#peek tbody tr').nth(1).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: shot('tour-queue'), fullPage: true });
    await page.click('#btn-redrive');
    await page.locator('#toast', { hasText: 'Moved 2 messages' }).waitFor({ timeout: 10_000 });
    await page.locator('[data-q="ready"]', { hasText: /^3$/ }).waitFor({ timeout: 10_000 });
    const stats = JSON.parse((await req(url, 'GET', `/stats/${Q.payments}`)).text) as { ready: number; dead: number };
    assert.deepEqual({ ready: stats.ready, dead: stats.dead }, { ready: 3, dead: 0 }, 'the broker moved them back');
    await page.close();
  });
});
