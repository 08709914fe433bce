/**
 * GET /metrics against a real broker on SQLite and Redis: the exposition parses, counters move
 * with what clients do (enqueue, pull, lease, ack, nack, expiry, empty receives, streams),
 * gauges match the queues, no label carries a message key, receipt or address, and a scrape
 * of 1,000 queues stays fast.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, post, qname, req } from './backends.js';
import { waitUntil } from '../harness/wait.js';
import { SseClient, WsClient } from '../harness/stream-clients.js';
import { startTestBroker, useTestBroker, type TestBroker } from '../harness/broker.js';
import { startRedis, type RedisServer } from '../harness/redis.js';
import { parseExposition, scrape, value, type Exposition } from '../harness/exposition.js';

const has = (e: Exposition, name: string, labels: Record<string, string>) =>
  e.samples.some((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v));

async function metric(base: string, name: string, labels: Record<string, string>): Promise<number> {
  return value(await scrape(base), name, labels);
}

interface Leased {
  key: string;
  receipt: string;
  attempts: number;
}

async function lease(base: string, queue: string, seconds = 30): Promise<Leased> {
  const r = await req(base, 'GET', `/q/${queue}?lease=${seconds}`);
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text) as Leased;
}

describe('GET /metrics while Redis is down', () => {
  const started = useTestBroker('redis');

  it('still answers, with restmq_store_up 0 and the process metrics', async () => {
    const { redis, ...broker } = started();
    assert.ok(redis, 'redis started');
    const q = qname();
    await post(broker.url, q, 'm');
    assert.equal(await metric(broker.url, 'restmq_store_up', {}), 1, 'up while Redis runs');
    await redis.stop();
    const e = await scrape(broker.url);
    assert.equal(value(e, 'restmq_store_up', {}), 0, 'down');
    assert.ok(!has(e, 'restmq_queue_messages', { queue: q }), 'no queue figures it could not read');
    assert.ok(has(e, 'process_cpu_seconds_total', {}), 'process metrics still there');
    assert.equal(value(e, 'restmq_messages_enqueued_total', { queue: q }), 1, 'this broker\'s counters still there');
  });
});

describe('GET /metrics with two brokers on one Redis', () => {
  let redis: RedisServer | undefined;
  const brokers: TestBroker[] = [];
  before(async () => {
    redis = await startRedis();
    for (let i = 0; i < 2; i++) brokers.push(await startTestBroker('redis', { redis }));
  });
  after(async () => {
    for (const b of brokers) await b.close();
    await redis?.stop();
  });

  it('queue figures are the store\'s (the same on both); consumers by transport and counters are each broker\'s', async () => {
    const [a, b] = brokers as [TestBroker, TestBroker];
    const q = qname();
    await post(a.url, q, 'seed');
    assert.equal((await req(a.url, 'GET', `/q/${q}`)).status, 200, 'the seed is taken');
    const sse = await SseClient.open(a.url, `/sse/${q}`);
    try {
      await waitUntil('the consumer registered in the store', async () => (await metric(b.url, 'restmq_queue_consumers_all_brokers', { queue: q })) === 1);
      await post(b.url, q, 'one');
      await sse.waitForCount(1);
      await post(b.url, q, 'two');
      await sse.waitForCount(2);
      const [ea, eb] = [await scrape(a.url), await scrape(b.url)];
      assert.equal(value(ea, 'restmq_queue_consumers', { queue: q, transport: 'sse' }), 1, 'A holds the stream');
      assert.equal(value(eb, 'restmq_queue_consumers', { queue: q, transport: 'sse' }), 0, 'B holds none');
      assert.equal(value(ea, 'restmq_queue_consumers_all_brokers', { queue: q }), 1, 'seen from A');
      assert.equal(value(eb, 'restmq_queue_consumers_all_brokers', { queue: q }), 1, 'seen from B');
      assert.equal(value(ea, 'restmq_messages_enqueued_total', { queue: q }), 1, 'A enqueued the seed');
      assert.equal(value(eb, 'restmq_messages_enqueued_total', { queue: q }), 2, 'B enqueued two');
      assert.equal(value(ea, 'restmq_messages_delivered_total', { queue: q, mode: 'push' }), 2, 'A streamed both');
      for (const state of ['ready', 'inflight', 'delayed', 'dead']) {
        assert.equal(value(ea, 'restmq_queue_messages', { queue: q, state }), value(eb, 'restmq_queue_messages', { queue: q, state }), `${state} agrees`);
      }
    } finally {
      sse.close();
    }
  });
});

forEachBackend(
  (ctx) => {
    describe('GET /metrics', () => {
      it('is valid Prometheus text with the queue, message, HTTP, store and process families', async () => {
        const q = qname();
        await post(ctx().url, q, 'one');
        const e = await scrape(ctx().url);
        const expected: [string, string][] = [
          ['restmq_queue_messages', 'gauge'],
          ['restmq_queue_oldest_message_age_seconds', 'gauge'],
          ['restmq_queue_paused', 'gauge'],
          ['restmq_queue_consumers', 'gauge'],
          ['restmq_stream_connections', 'gauge'],
          ['restmq_store_up', 'gauge'],
          ['restmq_messages_enqueued_total', 'counter'],
          ['restmq_messages_delivered_total', 'counter'],
          ['restmq_messages_acked_total', 'counter'],
          ['restmq_messages_redelivered_total', 'counter'],
          ['restmq_messages_dead_lettered_total', 'counter'],
          ['restmq_messages_expired_total', 'counter'],
          ['restmq_receives_empty_total', 'counter'],
          ['restmq_http_request_duration_seconds', 'histogram'],
          ['restmq_store_call_duration_seconds', 'histogram'],
          ['process_cpu_seconds_total', 'counter'],
          ['nodejs_eventloop_lag_seconds', 'gauge'],
        ];
        for (const [name, type] of expected) {
          // prom-client declares counters by their full name (with _total).
          assert.equal(e.types.get(name) ?? e.types.get(name.replace(/_total$/, '')), type, `${name} is a ${type}`);
        }
        assert.equal(value(e, 'restmq_store_up', {}), 1, 'the store answered');
        assert.equal(value(e, 'restmq_queue_messages', { queue: q, state: 'ready' }), 1, 'one ready message');
        assert.ok(has(e, 'restmq_store_call_duration_seconds_count', { op: 'enqueue' }), 'store calls are timed by method');
      });

      it('counts enqueues, pulls, empty receives, leases, acks and redeliveries per queue', async () => {
        const q = qname();
        const url = ctx().url;
        for (const v of ['a', 'b', 'c', 'd']) await post(url, q, v);
        assert.equal((await req(url, 'GET', `/q/${q}`)).status, 200);
        const first = await lease(url, q);
        assert.equal(first.attempts, 1);
        assert.equal((await req(url, 'DELETE', `/q/${q}/${first.receipt}`)).status, 200, 'ack');
        const second = await lease(url, q);
        assert.equal((await req(url, 'POST', `/q/${q}/${second.receipt}/nack`)).status, 200, 'nack');
        const again = await lease(url, q);
        assert.equal(again.key, second.key, 'the nacked message comes back first');
        assert.equal(again.attempts, 2);
        assert.equal((await req(url, 'GET', `/q/${q}`)).status, 200, 'the last one');
        assert.equal((await req(url, 'GET', `/q/${q}`)).status, 204, 'empty');
        const e = await scrape(url);
        assert.equal(value(e, 'restmq_messages_enqueued_total', { queue: q }), 4, 'enqueued');
        assert.equal(value(e, 'restmq_messages_delivered_total', { queue: q, mode: 'pull' }), 5, 'two GETs and three leases');
        assert.equal(value(e, 'restmq_messages_delivered_total', { queue: q, mode: 'push' }), 0, 'nothing streamed');
        assert.equal(value(e, 'restmq_messages_acked_total', { queue: q }), 1, 'acked');
        assert.equal(value(e, 'restmq_messages_redelivered_total', { queue: q }), 1, 'the nacked message leased again');
        assert.equal(value(e, 'restmq_receives_empty_total', { queue: q }), 1, 'one GET found nothing');
        assert.equal(value(e, 'restmq_queue_messages', { queue: q, state: 'inflight' }), 1, 'one lease still held');
        assert.equal(value(e, 'restmq_queue_messages', { queue: q, state: 'ready' }), 0, 'none ready');
      });

      it('counts an expired lease as a redelivery when the message is leased again', async () => {
        const q = qname();
        const url = ctx().url;
        await post(url, q, 'slow');
        await lease(url, q, 1);
        await waitUntil('the lease to end', async () => (await metric(url, 'restmq_queue_messages', { queue: q, state: 'ready' })) === 1, 5000);
        assert.equal((await lease(url, q)).attempts, 2);
        assert.equal(await metric(url, 'restmq_messages_redelivered_total', { queue: q }), 1, 'redelivered once');
      });

      it('counts messages dropped because their TTL passed', async () => {
        const q = qname();
        const url = ctx().url;
        await post(url, q, 'short', { ttl: '1' });
        // Expiry is a matter of time, and every read that could watch it would consume the
        // message before it expires: wait out the TTL.
        await new Promise((r) => setTimeout(r, 1200));
        assert.equal((await req(url, 'GET', `/q/${q}`)).status, 204, 'the expired message is not delivered');
        assert.equal(await metric(url, 'restmq_messages_expired_total', { queue: q }), 1, 'dropped as expired');
        assert.equal(await metric(url, 'restmq_messages_delivered_total', { queue: q, mode: 'pull' }), 0, 'never delivered');
      });

      it('shows delayed, dead and paused queues', async () => {
        const q = qname();
        const url = ctx().url;
        await post(url, q, 'later', { delay: '60' });
        assert.equal((await req(url, 'POST', `/p/${q}`, { form: { max_attempts: '1' } })).status, 200);
        await post(url, q, 'doomed');
        const m = await lease(url, q);
        assert.equal((await req(url, 'POST', `/q/${q}/${m.receipt}/nack`)).status, 200, 'nack at the last attempt');
        assert.equal((await req(url, 'POST', `/control/${q}`, { form: { status: 'stop' } })).status, 200);
        const e = await scrape(url);
        assert.equal(value(e, 'restmq_queue_messages', { queue: q, state: 'delayed' }), 1, 'delayed');
        assert.equal(value(e, 'restmq_queue_messages', { queue: q, state: 'dead' }), 1, 'dead-lettered into <q>.dead');
        assert.equal(value(e, 'restmq_queue_paused', { queue: q }), 1, 'stopped');
        assert.equal(value(e, 'restmq_messages_dead_lettered_total', { queue: q }), 1, 'dead-lettered once');
        assert.equal((await req(url, 'POST', `/control/${q}`, { form: { status: 'start' } })).status, 200);
        assert.equal(await metric(url, 'restmq_queue_paused', { queue: q }), 0, 'started again');
      });

      it('gives the age of the oldest ready message, and none once the queue is empty', async () => {
        const q = qname();
        const url = ctx().url;
        const before = Date.now();
        await post(url, q, 'first');
        await post(url, q, 'second');
        const e = await scrape(url);
        const age = value(e, 'restmq_queue_oldest_message_age_seconds', { queue: q });
        assert.ok(has(e, 'restmq_queue_oldest_message_age_seconds', { queue: q }), 'an age for a queue with ready messages');
        // Redis dates by a sample at most once a second: the age may read up to a second high.
        assert.ok(age >= 0 && age <= (Date.now() - before) / 1000 + 1.5, `age ${age} s is about the time since the first enqueue`);
        assert.equal((await req(url, 'GET', `/q/${q}?count=2`)).status, 200);
        assert.ok(!has(await scrape(url), 'restmq_queue_oldest_message_age_seconds', { queue: q }), 'no age once nothing is ready');
      });

      it('counts streaming consumers by transport and push deliveries per copy', async () => {
        const q = qname();
        const url = ctx().url;
        // The overview lists registered queues: a first message registers this one.
        await post(url, q, 'seed');
        assert.equal((await req(url, 'GET', `/q/${q}`)).status, 200, 'the seed is taken');
        const sse = await SseClient.open(url, `/sse/${q}`);
        const ws = await WsClient.open(url, q);
        try {
          await waitUntil('both consumers registered', async () => {
            const e = await scrape(url);
            return value(e, 'restmq_queue_consumers', { queue: q, transport: 'sse' }) === 1 && value(e, 'restmq_queue_consumers', { queue: q, transport: 'ws' }) === 1;
          });
          await post(url, q, 'x');
          await post(url, q, 'y');
          await sse.waitForCount(2);
          await ws.waitForCount(2);
          const e = await scrape(url);
          assert.equal(value(e, 'restmq_messages_delivered_total', { queue: q, mode: 'push' }), 4, 'two messages, broadcast to two consumers');
          assert.equal(value(e, 'restmq_queue_consumers_all_brokers', { queue: q }), 2, 'registered in the store');
          assert.ok(value(e, 'restmq_stream_connections', { transport: 'sse' }) >= 1, 'an SSE connection open');
        } finally {
          sse.close();
          ws.close();
        }
        await waitUntil('the consumers to be gone', async () => (await metric(url, 'restmq_queue_consumers', { queue: q, transport: 'sse' })) === 0);
      });

      it('shows a waiting long poll as a poll consumer', async () => {
        const q = qname();
        const url = ctx().url;
        await post(url, q, 'seed');
        assert.equal((await req(url, 'GET', `/q/${q}`)).status, 200, 'registers the queue and empties it');
        const waiting = req(url, 'GET', `/q/${q}?wait=10`);
        await waitUntil('the long poll to wait', async () => (await metric(url, 'restmq_queue_consumers', { queue: q, transport: 'poll' })) === 1);
        await post(url, q, 'wake');
        assert.equal((await waiting).status, 200, 'the long poll got the message');
        assert.equal(await metric(url, 'restmq_queue_consumers', { queue: q, transport: 'poll' }), 0, 'no longer waiting');
      });

      it('labels HTTP durations by route pattern; no label carries a message key, receipt or address', async () => {
        const q = qname();
        const url = ctx().url;
        const key = await post(url, q, 'secret');
        const m = await lease(url, q);
        await req(url, 'DELETE', `/q/${q}/${m.receipt}`);
        await req(url, 'GET', `/no/such/${q}/route`);
        const e = await scrape(url);
        assert.ok(has(e, 'restmq_http_request_duration_seconds_count', { route: '/q/:queue', method: 'POST', code: '200' }), 'POST /q/:queue');
        assert.ok(has(e, 'restmq_http_request_duration_seconds_count', { route: '/q/:queue/:receipt', method: 'DELETE', code: '200' }), 'DELETE by its pattern');
        assert.ok(has(e, 'restmq_http_request_duration_seconds_count', { route: 'unmatched', code: '404' }), 'unmatched routes share one label');
        for (const s of e.samples) {
          for (const [label, v] of Object.entries(s.labels)) {
            assert.ok(!v.includes(key), `${s.name}{${label}} holds a message key`);
            assert.ok(!v.includes(m.receipt), `${s.name}{${label}} holds a receipt`);
            assert.ok(!/\b127\.0\.0\.1\b|::1|::ffff:/.test(v), `${s.name}{${label}} holds an address: ${v}`);
            if (label !== 'queue') assert.ok(!v.includes(q), `${s.name}{${label}} holds the queue name: ${v}`);
          }
        }
      });

      it('scrapes 1,000 queues in well under a second', async () => {
        const url = ctx().url;
        const prefix = qname();
        const names = Array.from({ length: 1000 }, (_, i) => `${prefix}-${i}`);
        for (let i = 0; i < names.length; i += 50) {
          await Promise.all(names.slice(i, i + 50).map((n) => post(url, n, 'm')));
        }
        const times: number[] = [];
        let e: Exposition | undefined;
        for (let i = 0; i < 5; i++) {
          const t0 = performance.now();
          const r = await req(url, 'GET', '/metrics');
          times.push(performance.now() - t0);
          assert.equal(r.status, 200, r.text);
          e = parseExposition(r.text);
        }
        times.sort((a, b) => a - b);
        const median = times[2]!;
        console.log(`# ${ctx().backend}: /metrics with ${e!.samples.filter((s) => s.name === 'restmq_queue_paused').length} queues: median ${median.toFixed(1)} ms of 5 (min ${times[0]!.toFixed(1)}, max ${times[4]!.toFixed(1)})`);
        assert.ok(names.every((n) => value(e!, 'restmq_queue_messages', { queue: n, state: 'ready' }) === 1), 'every queue has its message');
        assert.ok(median < 1000, `median scrape ${median.toFixed(1)} ms`);
      });
    });
  },
  // No cap: the 1,000-queue scrape below checks every queue's series (the cap has its own tests).
  { backends: ['sqlite', 'redis'], flags: { 'metrics-max-queues': '0' } },
);
