/**
 * A Redis outage under a running broker process (SPEC section 8): while the redis-server is
 * down, every request that needs the store fails fast with 503 STORE_UNAVAILABLE (JSON), never
 * hangs; /health stays 200 and /ready answers 503; a streaming consumer opened meanwhile gets
 * 503. Once Redis is back on the same port (appendonly, so the data survives), the same broker
 * process serves again without a restart, and streaming consumers receive new messages.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnBroker, type SpawnedBroker } from '../harness/broker.js';
import { startRedis, type RedisServer } from '../harness/redis.js';
import { CometClient, SseClient } from '../harness/stream-clients.js';
import { assertError, qname, req, type Res } from './backends.js';
import { waitUntil } from '../harness/wait.js';

const BOUND_MS = 10_000;

/** One request with a hard client-side limit, so that a hang fails the test instead of stalling it. */
async function timed(base: string, method: string, path: string, opts: Parameters<typeof req>[3] = {}): Promise<{ r: Res; ms: number }> {
  const started = performance.now();
  const r = await Promise.race([
    req(base, method, path, opts),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${method} ${path} did not answer within ${BOUND_MS + 5000} ms`)), BOUND_MS + 5000).unref()),
  ]);
  return { r, ms: performance.now() - started };
}

describe('redis outage under a running broker', () => {
  let redis: RedisServer;
  let broker: SpawnedBroker;
  const q = qname();
  const streamQ = qname();
  const leaseQ = qname();
  let before1: CometClient;
  let receipt = '';

  before(async () => {
    redis = await startRedis({ appendonly: true, appendfsync: 'always' });
    broker = await spawnBroker(['--store', `redis://${redis.host}:${redis.port}/0`]);
  });
  after(async () => {
    before1?.close();
    await broker?.stop('SIGTERM');
    await redis?.stop();
  });

  it('serves before the outage; a consumer opened now receives', async () => {
    assert.equal((await req(broker.url, 'POST', `/q/${q}`, { form: { value: 'kept' } })).status, 200);
    assert.equal((await req(broker.url, 'GET', '/ready')).status, 200);
    assert.equal((await req(broker.url, 'POST', `/q/${leaseQ}`, { form: { value: 'leased' } })).status, 200);
    const leased = await req(broker.url, 'GET', `/q/${leaseQ}?lease=300`);
    assert.equal(leased.status, 200, leased.text);
    receipt = (JSON.parse(leased.text) as { receipt: string }).receipt;
    before1 = await CometClient.open(broker.url, streamQ);
    assert.equal(before1.status, 200);
    assert.equal((await req(broker.url, 'POST', `/q/${streamQ}`, { form: { value: 'pre' } })).status, 200);
    await before1.waitForCount(1);
    assert.equal(before1.messages[0]!.value, 'pre');
  });

  it('while redis is down: store requests answer 503 STORE_UNAVAILABLE within 10 s, /health 200, /ready 503', async (t) => {
    await redis.kill('SIGKILL');
    const pid = broker.child.pid;
    const store: [string, string, Parameters<typeof req>[3]?][] = [
      ['POST', `/q/${q}`, { form: { value: 'during' } }],
      ['POST', `/q/${q}?batch=1`, { body: '["a","b"]', type: 'application/json' }],
      ['POST', '/', { form: { queue: q, value: 'during' } }],
      ['GET', `/q/${q}`],
      ['GET', `/q/${q}?count=10`],
      ['GET', `/q/${q}?lease=30`],
      ['GET', `/?queue=${q}`],
      ['GET', `/stats/${q}`],
      ['GET', '/stats/'],
      ['POST', `/control/${q}`, { form: { status: 'stop' } }],
      ['POST', `/p/${q}`, { form: { policy: 'roundrobin' } }],
      ['DELETE', `/q/${leaseQ}/${receipt}`],
      ['POST', `/q/${leaseQ}/${receipt}/nack`],
      ['POST', `/q/${leaseQ}/${receipt}/extend?lease=60`],
      ['POST', '/queue', { body: JSON.stringify({ cmd: 'len', queue: q }), type: 'application/json' }],
    ];
    let slowest = 0;
    // Rounds from right after the kill (the client may not have noticed yet) through ~4 s of
    // reconnect attempts (bounded: 40 rounds at most); every other round all at once.
    const killedAt = performance.now();
    let rounds = 0;
    for (let round = 0; round < 40 && performance.now() - killedAt < 4000; round++, rounds++) {
      if (round > 0) await new Promise((r) => setTimeout(r, 100)); // pacing, not a wait for an outcome
      const replies = round % 2 === 0
        ? await (async () => {
            const out = [];
            for (const [m, p, o] of store) out.push(await timed(broker.url, m, p, o));
            return out;
          })()
        : await Promise.all(store.map(([m, p, o]) => timed(broker.url, m, p, o)));
      replies.forEach(({ r, ms }, i) => {
        const [m, p] = store[i]!;
        slowest = Math.max(slowest, ms);
        assert.ok(ms < BOUND_MS, `${m} ${p} took ${Math.round(ms)} ms`);
        assert.equal(r.status, 503, `${m} ${p}: ${r.status} ${r.text}`);
        assertError(r, 503, 'STORE_UNAVAILABLE');
      });
      const health = await timed(broker.url, 'GET', '/health');
      assert.equal(health.r.status, 200);
      const ready = await timed(broker.url, 'GET', '/ready');
      assert.equal(ready.r.status, 503, ready.r.text);
      assert.ok(ready.ms < BOUND_MS, `/ready took ${Math.round(ready.ms)} ms`);
    }
    t.diagnostic(`${rounds} rounds of ${store.length} store requests; slowest answer during the outage: ${Math.round(slowest)} ms`);
    assert.equal(broker.child.pid, pid);
    assert.equal(broker.child.exitCode, null, 'the broker process is still running');
  });

  it('while redis is down: a streaming consumer opened now gets 503', async () => {
    for (const open of [() => CometClient.open(broker.url, qname()), () => SseClient.open(broker.url, `/sse/${qname()}`)]) {
      const started = performance.now();
      const c = await open();
      try {
        assert.equal(c.status, 503);
        assert.match(String(c.headers['content-type']), /^application\/json/);
        assert.ok(performance.now() - started < BOUND_MS);
      } finally {
        c.close();
      }
    }
  });

  it('once redis is back on the same port, the same broker serves again, with the data kept', async (t) => {
    const started = performance.now();
    await redis.restart();
    await waitUntil('POST to work again', async () => (await req(broker.url, 'POST', `/q/${q}`, { form: { value: 'after' } })).status === 200, 20_000);
    t.diagnostic(`service back ${Math.round(performance.now() - started)} ms after the redis restart began`);
    await waitUntil('/ready to be 200 again', async () => (await req(broker.url, 'GET', '/ready')).status === 200, 10_000);
    const r = await req(broker.url, 'GET', `/q/${q}?count=10`);
    assert.equal(r.status, 200, r.text);
    const values = (JSON.parse(r.text) as { value: string }[]).map((m) => m.value);
    assert.equal(values[0], 'kept', 'the message from before the outage survived (appendonly)');
    assert.equal(values.at(-1), 'after');
    assert.ok(!values.includes('during'), `nothing sent during the outage was stored: ${JSON.stringify(values)}`);
    const ack = await req(broker.url, 'DELETE', `/q/${leaseQ}/${receipt}`);
    assert.equal(ack.status, 200, `the lease taken before the outage is still held and can be acked: ${ack.text}`);
  });

  it('after the outage, a streaming consumer (the one from before, or a reconnected one) receives new messages', async (t) => {
    t.diagnostic(`consumer opened before the outage: ${before1.ended ? 'was ended by the broker' : 'still open'}`);
    const consumer = before1.ended ? await CometClient.open(broker.url, streamQ) : before1;
    try {
      assert.equal(consumer.status, 200);
      const seen = consumer.messages.length;
      await waitUntil('a POST to the streamed queue', async () => (await req(broker.url, 'POST', `/q/${streamQ}`, { form: { value: 'post-outage' } })).status === 200, 10_000);
      // At least once: a delivery whose inbox ack was lost with Redis may come again first.
      await waitUntil('the post-outage message on the stream', async () => consumer.messages.slice(seen).some((m) => m.value === 'post-outage'), 10_000);
      assert.ok(consumer.messages.slice(seen).every((m) => m.value === 'post-outage' || m.value === 'pre'), 'only known messages');
      const fresh = await CometClient.open(broker.url, streamQ);
      try {
        assert.equal(fresh.status, 200);
        assert.equal((await req(broker.url, 'POST', `/q/${streamQ}`, { form: { value: 'second' } })).status, 200);
        await waitUntil('the fresh consumer to get the new message', async () => fresh.messages.some((m) => m.value === 'second'), 10_000);
      } finally {
        fresh.close();
      }
    } finally {
      if (consumer !== before1) consumer.close();
    }
  });
});
