/**
 * A delayed message reaches a waiting consumer at its due time, not at the reaper's or the
 * safety poll's next run (up to a second later): an SSE stream and a long poll, on every
 * backend, and across two brokers on one Redis (consumer on one, producer on the other). The
 * bound is generous (due + 300 ms; bench/delay-lateness.ts measures the lateness itself) yet
 * no safety poll once a second could meet it for two messages due 500 ms apart.
 * Presque's `delayed=` (an epoch time with a fraction) gives a delay in milliseconds.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnBroker, type SpawnedBroker } from '../harness/broker.js';
import { startRedis, type RedisServer } from '../harness/redis.js';
import { startRedisCluster, type RedisCluster } from '../harness/redis-cluster.js';
import { SseClient } from '../harness/stream-clients.js';
import { WITH_CLUSTER, forEachBackend, qname, req } from './backends.js';
import { waitUntil } from '../harness/wait.js';

const DELAY_MS = 300;
const LATE_MS = 300;

/** Enqueues `value` on `base` due `delayMs` from now; returns the due time (epoch ms). */
async function postDelayed(base: string, q: string, value: string, delayMs = DELAY_MS): Promise<number> {
  const due = Date.now() + delayMs;
  const r = await req(base, 'POST', `/presque/q/${q}?delayed=${(due / 1000).toFixed(3)}`, { body: JSON.stringify({ v: value }), type: 'application/json' });
  assert.ok(r.status < 300, r.text);
  return due;
}

const consumers = async (base: string, q: string) => (JSON.parse((await req(base, 'GET', `/stats/${q}`)).text) as { consumers: number }).consumers;

function assertOnTime(what: string, due: number, at: number): void {
  assert.ok(at >= due - 20, `${what}: received ${due - at} ms before its due time`);
  assert.ok(at <= due + LATE_MS, `${what}: received ${at - due} ms after its due time`);
}

/** SSE on `consumerBase`, producer on `producerBase`. */
async function sseOnTime(consumerBase: string, producerBase: string): Promise<void> {
  const q = qname();
  const sse = await SseClient.open(consumerBase, `/sse/${q}`);
  try {
    await waitUntil('the stream registered', async () => (await consumers(producerBase, q)) === 1);
    const due = await postDelayed(producerBase, q, 'sse');
    const due2 = await postDelayed(producerBase, q, 'sse2', DELAY_MS + 500);
    assert.equal(sse.messages.length, 0);
    await sse.waitForCount(1, DELAY_MS + 3000);
    assertOnTime('SSE', due, Date.now());
    await sse.waitForCount(2, 3000);
    assertOnTime('SSE, second message', due2, Date.now());
  } finally {
    sse.close();
  }
}

/** A long poll on `consumerBase`, producer on `producerBase`. */
async function longPollOnTime(consumerBase: string, producerBase: string): Promise<void> {
  const q = qname();
  const polled = req(consumerBase, 'GET', `/q/${q}?wait=10`).then((r) => ({ r, at: Date.now() }));
  await new Promise((r) => setTimeout(r, 100)); // the poll is waiting
  const due = await postDelayed(producerBase, q, 'poll');
  const { r, at } = await polled;
  assert.equal(r.status, 200, r.text);
  assertOnTime('long poll', due, at);
}

forEachBackend((ctx) => {
  it('an SSE consumer gets a delayed message at its due time', () => sseOnTime(ctx().url, ctx().url));
  it('a waiting long poll gets a delayed message at its due time', () => longPollOnTime(ctx().url, ctx().url));
}, { backends: WITH_CLUSTER });

describe('two brokers on one Redis: a message delayed on one is on time on the other', () => {
  let redis: RedisServer;
  let brokers: SpawnedBroker[] = [];
  before(async () => {
    redis = await startRedis();
    brokers = await Promise.all([0, 1].map(() => spawnBroker(['--store', `redis://127.0.0.1:${redis.port}/0`, '--log-level', 'warn'], { timeoutMs: 90_000 })));
  });
  after(async () => {
    await Promise.all(brokers.map((b) => b.stop()));
    await redis?.stop();
  });

  it('SSE on broker 2, producer on broker 1', () => sseOnTime(brokers[1]!.url, brokers[0]!.url));
  it('long poll on broker 2, producer on broker 1', () => longPollOnTime(brokers[1]!.url, brokers[0]!.url));
  it('a message delayed before the consumer came is on time too', async () => {
    const q = qname();
    const due = await postDelayed(brokers[0]!.url, q, 'early');
    const polled = await req(brokers[1]!.url, 'GET', `/q/${q}?wait=10`);
    assert.equal(polled.status, 200, polled.text);
    assertOnTime('long poll that came after the enqueue', due, Date.now());
  });
});

describe('two brokers on one Redis Cluster: a message delayed on one is on time on the other', () => {
  let cluster: RedisCluster;
  let brokers: SpawnedBroker[] = [];
  before(async () => {
    cluster = await startRedisCluster();
    brokers = await Promise.all([0, 1].map(() => spawnBroker(['--store', cluster.url, '--log-level', 'warn'], { timeoutMs: 90_000 })));
  });
  after(async () => {
    await Promise.all(brokers.map((b) => b.stop()));
    await cluster?.stop();
  });

  it('SSE on broker 2, producer on broker 1', () => sseOnTime(brokers[1]!.url, brokers[0]!.url));
  it('long poll on broker 2, producer on broker 1', () => longPollOnTime(brokers[1]!.url, brokers[0]!.url));
});
