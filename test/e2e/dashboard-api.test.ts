/**
 * The dashboard over plain HTTP, on every backend: the page and its assets, the read-only
 * JSON API (queue table, detail, peek that consumes nothing, consumers with their address),
 * the live SSE feed (a POST shows up in the next sample, with a rate), and shutdown with a
 * feed open.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { assertError, forEachBackend, post, qname, req, take } from './backends.js';
import { WsClient, SseClient } from '../harness/stream-clients.js';
import { startTestBroker } from '../harness/broker.js';
import { startRedis } from '../harness/redis.js';
import { FeedClient, type FeedSnapshot } from '../dashboard/feed-client.js';

interface Detail {
  queue: string;
  ready: number;
  dead: number;
  status: string;
  policy: string;
  maxAttempts: number | null;
  leaseSeconds: number | null;
  deadLetter: string;
  streaming: { transport: string; remote: string; leased: boolean }[];
}

interface Peeked {
  queue: string;
  messages: { key: string; value: string; bytes: number; truncated: boolean }[];
}

const json = async <T>(base: string, path: string): Promise<T> => {
  const r = await req(base, 'GET', path);
  assert.equal(r.status, 200, `${path}: ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/, path);
  return JSON.parse(r.text) as T;
};

forEachBackend((ctx) => {
  it('serves the page, its assets and uPlot; the old entry points redirect to it', async () => {
    const page = await req(ctx().url, 'GET', '/dashboard/');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.text, /assets\/dashboard\.js/, 'the page loads its script');
    assert.match(page.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, 'the page cannot be framed');
    for (const path of ['/static/index.html', '/dashboard', '/']) {
      const r = await req(ctx().url, 'GET', path);
      assert.equal(r.status, 302, path);
      assert.equal(r.headers.get('location'), '/dashboard/', path);
    }
    const uplot = await req(ctx().url, 'GET', '/dashboard/assets/uPlot.iife.min.js');
    assert.equal(uplot.status, 200);
    assert.match(uplot.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.ok(uplot.text.includes('uPlot'), 'uPlot is served from node_modules');
    for (const name of ['dashboard.js', 'dashboard.css', 'uPlot.min.css']) assert.equal((await req(ctx().url, 'GET', `/dashboard/assets/${name}`)).status, 200, name);
    assertError(await req(ctx().url, 'GET', '/dashboard/assets/..%2Froutes.ts'), 404, 'NOT_FOUND');
    assertError(await req(ctx().url, 'POST', '/dashboard/api/queues'), 405, 'METHOD_NOT_ALLOWED');
  });

  it('config tells the page the store and that actions are allowed', async () => {
    const config = await json<{ readOnly: boolean; store: string; periodMs: number }>(ctx().url, '/dashboard/api/config');
    assert.deepEqual(config, { readOnly: false, store: ctx().storeKind, periodMs: 1000 });
  });

  it('the queue table has a row per queue with counts by state, status and policy', async () => {
    const q = qname();
    await post(ctx().url, q, 'a');
    await post(ctx().url, q, 'b');
    await post(ctx().url, q, 'later', { delay: '60' });
    await req(ctx().url, 'POST', `/control/${q}`, { form: { status: 'stop' } });
    await req(ctx().url, 'POST', `/p/${q}`, { form: { policy: 'roundrobin' } });
    const snap = await json<FeedSnapshot>(ctx().url, '/dashboard/api/queues');
    const row = snap.queues.find((r) => r.queue === q);
    assert.ok(row, 'the posted queue has a row');
    assert.equal(snap.store, ctx().storeKind);
    assert.deepEqual({ ready: row.ready, delayed: row.delayed, inflight: row.inflight, dead: row.dead, status: row.status, policy: row.policy }, {
      ready: 2,
      delayed: 1,
      inflight: 0,
      dead: 0,
      status: 'stopped',
      policy: 'roundrobin',
    });
  });

  it('peek shows the oldest messages and consumes nothing', async () => {
    const q = qname();
    const long = 'x'.repeat(5000);
    const k1 = await post(ctx().url, q, 'first <b>');
    const k2 = await post(ctx().url, q, long);
    for (let i = 0; i < 2; i++) {
      const peeked = await json<Peeked>(ctx().url, `/dashboard/api/queues/${q}/peek`);
      assert.deepEqual(peeked.messages.map((m) => m.key), [k1, k2]);
      assert.deepEqual(peeked.messages[0], { key: k1, value: 'first <b>', bytes: 9, truncated: false });
      assert.equal(peeked.messages[1]!.truncated, true);
      assert.equal(peeked.messages[1]!.bytes, 5000);
      assert.equal(peeked.messages[1]!.value.length, 4096);
    }
    assert.deepEqual((await json<Peeked>(ctx().url, `/dashboard/api/queues/${q}/peek?count=1`)).messages.map((m) => m.key), [k1]);
    assert.equal((await take(ctx().url, q))?.key, k1, 'the peeked message is still first in line');
    assertError(await req(ctx().url, 'GET', `/dashboard/api/queues/${q}/peek?count=0`), 400, 'INVALID_COUNT');
    assertError(await req(ctx().url, 'GET', '/dashboard/api/queues/bad%20name/peek'), 400, 'INVALID_QUEUE_NAME');
  });

  it('queue detail: settings, dead-letter queue and this queue\'s streaming consumers with their address', async () => {
    const q = qname();
    await req(ctx().url, 'POST', `/p/${q}`, { form: { max_attempts: '3', lease: '30' } });
    const ws = await WsClient.open(ctx().url, q);
    const sse = await SseClient.open(ctx().url, `/sse/${q}?lease=20`);
    try {
      const detail = await json<Detail>(ctx().url, `/dashboard/api/queues/${q}`);
      assert.equal(detail.maxAttempts, 3);
      assert.equal(detail.leaseSeconds, 30);
      assert.equal(detail.deadLetter, `${q}.dead`);
      const streams = detail.streaming.map((c) => `${c.transport} ${c.remote} ${c.leased}`).sort();
      assert.deepEqual(streams, ['sse 127.0.0.1 true', 'ws 127.0.0.1 false']);
      const all = await json<{ queue: string; transport: string }[]>(ctx().url, '/dashboard/api/consumers');
      assert.equal(all.filter((c) => c.queue === q).length, 2);
    } finally {
      ws.socket.close();
      sse.close();
    }
  });

  it('the live feed sends history, then a sample a second; a POST shows up with its rate', async () => {
    const q = qname();
    await post(ctx().url, q, 'one');
    const feed = await FeedClient.open(ctx().url);
    try {
      assert.equal(feed.status, 200);
      assert.match(feed.contentType, /^text\/event-stream/);
      await feed.row(q, (r) => r.ready === 1);
      assert.equal(feed.events[0]?.event, 'history', 'history comes first');
      await post(ctx().url, q, 'two');
      await post(ctx().url, q, 'three');
      const row = await feed.row(q, (r) => r.ready === 3);
      const rated = row.rates.enqueued > 0 ? row : await feed.row(q, (r) => r.rates.enqueued > 0);
      assert.ok(rated.rates.enqueued > 0, 'the enqueue rate is measured');
    } finally {
      feed.close();
    }
  });
});

describe('dashboard shutdown and read-only mode', () => {
  const brokers: { close(): Promise<void> }[] = [];
  after(async () => {
    for (const b of brokers) await b.close();
  });

  it('--read-only-dashboard: config says so, and there is still no route that changes anything', async () => {
    const b = await startTestBroker('memory', { flags: { 'read-only-dashboard': 'true' } });
    brokers.push(b);
    const config = await json<{ readOnly: boolean }>(b.url, '/dashboard/api/config');
    assert.equal(config.readOnly, true);
    for (const path of ['/dashboard/', '/dashboard/api/queues', '/dashboard/api/events']) {
      const r = await req(b.url, 'POST', path);
      assert.ok(r.status === 403 || r.status === 405, `${path} refuses a POST (got ${r.status})`);
    }
  });

  it('the feed reports a store outage, then resumes when the store is back', async () => {
    const redis = await startRedis({ appendonly: true });
    const b = await startTestBroker('redis', { redis });
    const feed = await FeedClient.open(b.url);
    try {
      await feed.waitUntil('a first snapshot', () => feed.snapshots().length > 0);
      await redis.kill();
      await feed.waitUntil('a failure event', () => feed.events.some((e) => e.event === 'failure'), 20_000);
      const failedAt = feed.events.length;
      await redis.restart();
      await feed.waitUntil('a snapshot after the outage', () => feed.events.slice(failedAt).some((e) => e.event === 'snapshot'), 20_000);
    } finally {
      feed.close();
      await b.close();
      await redis.stop();
    }
  });

  it('closing the broker ends open feeds instead of waiting for them', async () => {
    const b = await startTestBroker('memory');
    const feed = await FeedClient.open(b.url);
    await feed.waitUntil('the first snapshot', () => feed.snapshots().length > 0);
    const started = Date.now();
    await b.close();
    await feed.waitUntil('the feed to end', () => feed.ended, 5000);
    assert.ok(Date.now() - started < 5000, 'shutdown did not wait for the open feed');
  });
});
