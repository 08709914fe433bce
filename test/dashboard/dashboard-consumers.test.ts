/**
 * The Consumers tab in headless Chromium with two brokers sharing a private Redis: it lists
 * every broker's streaming consumers from the store's registry, this broker's with transport,
 * address and delivered/unacknowledged counts, the other broker's with its broker id.
 * Screenshot: test-artifacts/dashboard/consumers-every-broker.png.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { startTestBroker, type TestBroker } from '../harness/broker.js';
import { startRedis, type RedisServer } from '../harness/redis.js';
import { SseClient, WsClient } from '../harness/stream-clients.js';
import { post, req } from '../e2e/backends.js';
import { waitUntil } from '../harness/wait.js';
import { launchChromium, shot, skipReason } from './browser.js';

type Row = { queue: string; id: string; broker: string; local: boolean; delivered?: number; unacked?: number; transport?: string };

describe('dashboard: consumers of every broker', { skip: skipReason() }, () => {
  let redis: RedisServer | undefined;
  let here: TestBroker | undefined;
  let there: TestBroker | undefined;
  let browser: Browser | undefined;
  const streams: { close(): void }[] = [];
  const leasedQ = `payments-${randomUUID().slice(0, 8)}`;
  const fanQ = `alerts-${randomUUID().slice(0, 8)}`;

  before(async () => {
    redis = await startRedis();
    here = await startTestBroker('redis', { redis });
    there = await startTestBroker('redis', { redis });
    browser = await launchChromium();
  });
  after(async () => {
    for (const s of streams) s.close();
    await browser?.close();
    await there?.close();
    await here?.close();
    await redis?.stop();
  });

  it('lists both brokers\' consumers, with counts for this broker\'s', async () => {
    assert.ok(here && there && browser, 'started');
    // Here: a leased SSE consumer (leases need a roundrobin queue) that gets three messages and
    // acknowledges none.
    await req(here.url, 'POST', `/p/${leasedQ}`, { form: { policy: 'roundrobin' } });
    const sse = await SseClient.open(here.url, `/sse/${leasedQ}?lease=60`);
    streams.push(sse);
    // There: a WebSocket fan-out consumer.
    const ws = await WsClient.open(there.url, fanQ);
    streams.push({ close: () => ws.socket.close() });
    for (let i = 0; i < 3; i++) await post(here.url, leasedQ, `payment ${i}`);
    await post(there.url, fanQ, 'disk full');

    const api = async () => (JSON.parse((await req(here!.url, 'GET', '/dashboard/api/consumers/all')).text) as { broker: string; consumers: Row[] });
    await waitUntil('both consumers registered, three delivered', async () => {
      const { consumers } = await api();
      return consumers.some((c) => c.queue === fanQ) && consumers.some((c) => c.queue === leasedQ && c.delivered === 3);
    }, 10_000);
    const { broker, consumers } = await api();
    const mine = consumers.find((c) => c.queue === leasedQ)!;
    const theirs = consumers.find((c) => c.queue === fanQ)!;
    assert.deepEqual([mine.local, mine.broker, mine.transport, mine.delivered, mine.unacked], [true, broker, 'sse', 3, 3]);
    assert.equal(theirs.local, false, 'the other broker\'s');
    assert.notEqual(theirs.broker, broker);

    const page = await browser.newPage({ viewport: { width: 1400, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${here.url}/dashboard/#/consumers`);
    const row = (q: string) => page.locator('#consumers tbody tr', { hasText: q });
    await row(fanQ).waitFor({ timeout: 10_000 });
    await row(leasedQ).waitFor({ timeout: 10_000 });
    const cells = async (q: string) => row(q).locator('td').allTextContents();
    const [queue, who, transport, delivery, , , delivered, unacked] = await cells(leasedQ);
    assert.deepEqual([queue, who, transport, delivery, delivered, unacked], [leasedQ, 'this broker', 'sse', 'leased (at least once)', '3', '3']);
    const other = await cells(fanQ);
    assert.equal(other[1], theirs.broker.slice(0, 8), 'the other broker, by id');
    assert.equal(await row(fanQ).getAttribute('data-broker'), theirs.broker);
    await page.locator('#consumers-brokers', { hasText: '2 on 2 brokers' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: shot('consumers-every-broker'), fullPage: true });
    assert.deepEqual(errors, [], 'no script errors');
    await page.close();
  });
});
