/**
 * The Consumers tab in headless Chromium with two brokers sharing a private Redis: it lists
 * every broker's streaming consumers from the store's registry, each with transport and
 * delivered/unacknowledged counts: this broker's live, the other broker's as that broker
 * reported them with its last refresh of their registrations (every 5 s), with its broker id.
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

type Row = { queue: string; id: string; broker: string; local: boolean; delivered?: number; unacked?: number; transport?: string; reportedAt?: number };

describe('dashboard: consumers of every broker', { skip: skipReason() }, () => {
  let redis: RedisServer | undefined;
  let here: TestBroker | undefined;
  let there: TestBroker | undefined;
  let browser: Browser | undefined;
  const streams: { close(): void }[] = [];
  const leasedQ = `payments-${randomUUID().slice(0, 8)}`;
  const fanQ = `alerts-${randomUUID().slice(0, 8)}`;
  const theirLeasedQ = `invoices-${randomUUID().slice(0, 8)}`;

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

  it('lists both brokers\' consumers, with counts of each', async () => {
    assert.ok(here && there && browser, 'started');
    // Here: a leased SSE consumer (leases need a roundrobin queue) that gets three messages and
    // acknowledges none.
    await req(here.url, 'POST', `/p/${leasedQ}`, { form: { policy: 'roundrobin' } });
    const sse = await SseClient.open(here.url, `/sse/${leasedQ}?lease=60`);
    streams.push(sse);
    // There: a WebSocket fan-out consumer.
    const ws = await WsClient.open(there.url, fanQ);
    streams.push({ close: () => ws.socket.close() });
    // There too: a leased SSE consumer holding two unacknowledged messages.
    await req(there.url, 'POST', `/p/${theirLeasedQ}`, { form: { policy: 'roundrobin' } });
    const theirSse = await SseClient.open(there.url, `/sse/${theirLeasedQ}?lease=60`);
    streams.push(theirSse);
    for (let i = 0; i < 3; i++) await post(here.url, leasedQ, `payment ${i}`);
    await post(there.url, fanQ, 'disk full');
    for (let i = 0; i < 2; i++) await post(here.url, theirLeasedQ, `invoice ${i}`);

    const api = async () => (JSON.parse((await req(here!.url, 'GET', '/dashboard/api/consumers/all')).text) as { broker: string; consumers: Row[] });
    // The other broker reports its counts when it refreshes its registrations (every 5 s).
    await waitUntil('every consumer registered with its counts', async () => {
      const { consumers } = await api();
      return consumers.some((c) => c.queue === fanQ && c.delivered === 1) && consumers.some((c) => c.queue === leasedQ && c.delivered === 3)
        && consumers.some((c) => c.queue === theirLeasedQ && c.delivered === 2);
    }, 15_000);
    const { broker, consumers } = await api();
    const mine = consumers.find((c) => c.queue === leasedQ)!;
    const theirs = consumers.find((c) => c.queue === fanQ)!;
    const theirLeased = consumers.find((c) => c.queue === theirLeasedQ)!;
    assert.deepEqual([mine.local, mine.broker, mine.transport, mine.delivered, mine.unacked], [true, broker, 'sse', 3, 3]);
    assert.equal(mine.reportedAt, undefined, 'this broker\'s counts are live');
    assert.equal(theirs.local, false, 'the other broker\'s');
    assert.notEqual(theirs.broker, broker);
    assert.deepEqual([theirs.transport, theirs.delivered, theirs.unacked], ['ws', 1, undefined], 'a fan-out consumer has no unacked count');
    assert.deepEqual([theirLeased.local, theirLeased.transport, theirLeased.delivered, theirLeased.unacked], [false, 'sse', 2, 2]);
    assert.ok(typeof theirLeased.reportedAt === 'number' && Date.now() - theirLeased.reportedAt < 10_000, 'reported with the last refresh');

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
    assert.deepEqual([other[2], other[3], other[6], other[7]], ['ws', 'fan-out', '1', '–'], 'its counts, as reported');
    assert.equal(await row(fanQ).getAttribute('data-broker'), theirs.broker);
    await row(theirLeasedQ).waitFor({ timeout: 10_000 });
    const otherLeased = await cells(theirLeasedQ);
    assert.deepEqual([otherLeased[1], otherLeased[2], otherLeased[6], otherLeased[7]], [theirs.broker.slice(0, 8), 'sse', '2', '2']);
    assert.match(await row(theirLeasedQ).locator('td.reported').first().getAttribute('title') ?? '', /as its broker reported \d+s ago/);
    await page.locator('#consumers-brokers', { hasText: '3 on 2 brokers' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: shot('consumers-every-broker'), fullPage: true });
    assert.deepEqual(errors, [], 'no script errors');
    await page.close();
  });
});
