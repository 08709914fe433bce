/**
 * The dashboard's live feed on its own, over real HTTP on 127.0.0.1, with a real Activity and
 * a sampler the test controls: rates are counter differences per second, sampling runs only
 * while someone listens, one sample reaches every listener, history is bounded, and a slow
 * sample stretches the period.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Activity } from '../../src/core/activity.js';
import { LiveFeed } from '../../src/dashboard/live-feed.js';
import type { Point } from '../../src/dashboard/history.js';
import type { Snapshot } from '../../src/dashboard/snapshot.js';
import type { QueueRow } from '../../src/wire.js';
import { FeedClient } from '../dashboard/feed-client.js';
import { waitUntil } from '../harness/wait.js';

const row = (queue: string, ready = 0): QueueRow => ({
  queue,
  ready,
  inflight: 0,
  delayed: 0,
  dead: 0,
  consumers: 0,
  transports: { comet: 0, sse: 0, ws: 0, poll: 0 },
  status: 'started',
  policy: 'broadcast',
  oldestAgeSeconds: null,
  rates: { enqueued: 0, delivered: 0, acked: 0 },
});

const silent = { warn: () => {} };
/** History options keeping about `ms` of samples and nothing older. */
const keep = (ms: number) => ({ fineMs: ms, bucketMs: ms, spanMs: ms });

/** Serves `feed` on 127.0.0.1 the way the dashboard route does. */
async function serve(feed: LiveFeed): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    feed.add(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      feed.close();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('dashboard live feed', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups) await c();
  });

  it('rates are counter differences per second; every listener gets the same samples', async () => {
    const activity = new Activity();
    let samples = 0;
    const feed = new LiveFeed(
      async () => {
        samples++;
        return { time: Date.now(), store: 'memory', queues: [row('jobs')], consumers: [] } satisfies Snapshot;
      },
      activity,
      silent,
      { periodMs: 50, history: keep(10) },
    );
    const server = await serve(feed);
    cleanups.push(server.close);
    const a = await FeedClient.open(server.url);
    const b = await FeedClient.open(server.url);
    // 20 enqueues per 50 ms sample: about 400 a second.
    const producer = setInterval(() => activity.count('jobs', 'enqueued', 20), 50);
    try {
      await a.waitUntil('a measured enqueue rate', () => a.snapshots().some((s) => s.queues[0]!.rates.enqueued > 0));
      await b.waitUntil('the same for the second listener', () => b.snapshots().some((s) => s.queues[0]!.rates.enqueued > 0));
    } finally {
      clearInterval(producer);
    }
    const measured = a.snapshots().map((s) => s.queues[0]!.rates.enqueued).filter((r) => r > 0);
    const median = measured.sort((x, y) => x - y)[Math.floor(measured.length / 2)]!;
    assert.ok(median > 100 && median < 1600, `about 400/s measured, got ${median}`);
    assert.equal(a.snapshots()[0]!.queues[0]!.rates.enqueued, 0, 'the first sample has no previous one: rate 0');
    assert.equal(a.snapshots()[0]!.queues[0]!.rates.acked, 0);
    const before = samples;
    a.close();
    b.close();
    // With nobody listening the sampler stops: an absence, so it takes waiting several periods.
    await new Promise((r) => setTimeout(r, 300));
    const idle = samples;
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(samples - idle <= 1, `no sampling without listeners (${before} → ${idle} → ${samples})`);
  });

  it('history is bounded and keeps per-queue points only for up to 100 queues', async () => {
    let queues = 3;
    const feed = new LiveFeed(
      async () => ({ time: Date.now(), store: 'memory', queues: Array.from({ length: queues }, (_, i) => row(`q${i}`, 1)), consumers: [] }),
      new Activity(),
      silent,
      { periodMs: 20, history: { fineMs: 100, bucketMs: 100, spanMs: 200 } },
    );
    const server = await serve(feed);
    cleanups.push(server.close);
    const first = await FeedClient.open(server.url);
    await first.waitUntil('8 samples', () => first.snapshots().length >= 8);
    const early = await FeedClient.open(server.url);
    await early.waitUntil('its history', () => early.events.length > 0);
    const small = early.events[0]!.data as Point[];
    assert.deepEqual(Object.keys(small[small.length - 1]!.q), ['q0', 'q1', 'q2'], 'small tables keep per-queue points');
    early.close();
    queues = 150;
    await first.waitUntil('a sample of 150 queues', () => first.snapshots().some((s) => s.queues.length === 150));
    await first.waitUntil('two more', () => first.snapshots().filter((s) => s.queues.length === 150).length >= 2);
    const late = await FeedClient.open(server.url);
    await late.waitUntil('its history', () => late.events.length > 0);
    assert.equal(late.events[0]!.event, 'history');
    const history = late.events[0]!.data as Point[];
    // 100 ms of samples (about 5; fewer when sampling stretches) and 200 ms of 100 ms buckets.
    assert.ok(history.length <= 10, `history bounded, got ${history.length} points`);
    const last = history[history.length - 1]!;
    assert.equal(last.all[0], 150, 'totals are kept for every point');
    assert.deepEqual(last.q, {}, 'past 100 queues a point keeps totals only');
    first.close();
    late.close();
  });

  it('a slow sample stretches the period; a failing one sends a failure event', async () => {
    let fail = false;
    const feed = new LiveFeed(
      async () => {
        await new Promise((r) => setTimeout(r, 60));
        if (fail) throw new Error('store down');
        return { time: Date.now(), store: 'memory', queues: [], consumers: [] };
      },
      new Activity(),
      silent,
      { periodMs: 10, history: keep(100) },
    );
    const server = await serve(feed);
    cleanups.push(server.close);
    const c = await FeedClient.open(server.url);
    await c.waitUntil('4 samples', () => c.snapshots().length >= 4);
    const times = c.snapshots().map((s) => s.time);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // 60 ms samples at most a fifth of the time: about 300 ms apart, not 60.
    assert.ok(Math.min(...gaps) >= 200, `samples spaced out: ${gaps.join(', ')} ms`);
    fail = true;
    await c.waitUntil('a failure event', () => c.events.some((e) => e.event === 'failure'), 5000);
    c.close();
  });

  it('a page that stops reading is dropped instead of buffered without end', async () => {
    const big = 'x'.repeat(1_000_000);
    const feed = new LiveFeed(async () => ({ time: Date.now(), store: big, queues: [], consumers: [] }), new Activity(), silent, { periodMs: 10, history: keep(20) });
    const server = await serve(feed);
    cleanups.push(server.close);
    const { port } = new URL(server.url);
    const stalled = net.connect(Number(port), '127.0.0.1');
    stalled.pause(); // never reads: the broker's buffer for it grows with every 1 MB sample
    stalled.write('GET /dashboard/api/events HTTP/1.1\r\nHost: x\r\n\r\n');
    try {
      await waitUntil('the stalled page to connect', () => feed.size === 1, 15_000);
      await waitUntil('the stalled page to be dropped', () => feed.size === 0, 15_000);
    } finally {
      stalled.destroy();
    }
  });
});
