/**
 * Three real broker processes sharing one Redis, then one Redis Cluster, consumers spread across
 * them: broadcast reaches every consumer on every broker once, roundrobin gives each message to
 * exactly one consumer in strict rotation, stop/start and DELETE act on every broker, messages
 * written by an old RestMQ (no notification) are still delivered by the safety poll (one Redis),
 * and the queues of the tests are on every primary (the cluster).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnBroker, type SpawnedBroker } from '../harness/broker.js';
import { redisClient } from '../harness/redis.js';
import { CometClient, SseClient, WsClient, type StreamClient } from '../harness/stream-clients.js';
import { len, qname as newQueueName, req } from './backends.js';
import { waitUntil } from '../harness/wait.js';
import { assertQueuesSpread, SHARED_BACKENDS, startSharedStore, titleOf, type SharedStore } from './shared-store.js';

const keysOf = (c: StreamClient) => c.messages.map((m) => m.key);

async function postMany(base: string, queue: string, n: number): Promise<string[]> {
  const r = await req(base, 'POST', `/q/${queue}?batch=1`, { body: JSON.stringify(Array.from({ length: n }, (_, i) => `v${i}`)), type: 'application/json' });
  assert.equal(r.status, 200, r.text);
  return JSON.parse(r.text) as string[];
}

for (const backend of SHARED_BACKENDS) describe(`three brokers on ${titleOf(backend)}`, () => {
  let store: SharedStore;
  let brokers: SpawnedBroker[] = [];
  /** The group's queue names, for the cluster's spread check. */
  const made: string[] = [];
  const qname = (): string => {
    const q = newQueueName();
    made.push(q);
    return q;
  };
  before(async () => {
    store = await startSharedStore(backend);
    brokers = await Promise.all([0, 1, 2].map(() => spawnBroker(['--store', store.url, '--heartbeat', '1', '--comet-heartbeat', '1', '--log-level', 'warn'])));
  });
  after(async () => {
    await Promise.all(brokers.map((b) => b.stop()));
    await store?.stop();
  });

  /** One consumer per broker: COMET on the first, SSE on the second, WebSocket on the third. */
  async function spread(queue: string): Promise<StreamClient[]> {
    const clients = [await CometClient.open(brokers[0]!.url, queue), await SseClient.open(brokers[1]!.url, `/sse/${queue}`), await WsClient.open(brokers[2]!.url, queue)];
    // A WebSocket is open a moment before its consumer is registered.
    await waitUntil('3 registered consumers', async () => (JSON.parse((await req(brokers[0]!.url, 'GET', `/stats/${queue}`)).text) as { consumers: number }).consumers === 3);
    return clients;
  }

  it('broadcast: every consumer on every broker gets every message once, in order', async () => {
    const q = qname();
    const clients = await spread(q);
    try {
      const keys = [...(await postMany(brokers[0]!.url, q, 20)), ...(await postMany(brokers[2]!.url, q, 20))];
      for (const c of clients) {
        await c.waitForCount(40);
        assert.deepEqual(keysOf(c), keys);
      }
      await waitUntil('the queue to drain', async () => (await len(brokers[1]!.url, q)) === 0);
    } finally {
      for (const c of clients) c.close();
    }
  });

  it('roundrobin: exactly one consumer per message, rotating across brokers', async () => {
    const q = qname();
    await req(brokers[1]!.url, 'POST', `/p/${q}`, { form: { policy: 'roundrobin' } });
    const clients = await spread(q);
    try {
      const keys = await postMany(brokers[1]!.url, q, 60);
      await waitUntil('60 deliveries', async () => clients.reduce((n, c) => n + c.messages.length, 0) >= 60);
      const got = clients.flatMap(keysOf);
      assert.equal(got.length, 60, 'no duplicates');
      assert.deepEqual([...got].sort(), [...keys].sort());
      for (const c of clients) assert.equal(c.messages.length, 20, 'strict rotation: nobody starves');
    } finally {
      for (const c of clients) c.close();
    }
  });

  it('stats count the consumers of every broker', async () => {
    const q = qname();
    const clients = await spread(q);
    try {
      // A WebSocket is open before its consumer is registered: wait for the count.
      const consumers = async () => (JSON.parse((await req(brokers[0]!.url, 'GET', `/stats/${q}`)).text) as { consumers: number }).consumers;
      await waitUntil('3 consumers across the brokers', async () => (await consumers()) === 3);
      assert.equal(await consumers(), 3);
    } finally {
      for (const c of clients) c.close();
    }
  });

  it('stop on one broker pauses every broker; start resumes them all', async () => {
    const q = qname();
    const clients = await spread(q);
    try {
      await req(brokers[0]!.url, 'POST', `/control/${q}`, { form: { status: 'stop' } });
      await req(brokers[1]!.url, 'POST', `/q/${q}`, { form: { value: 'held' } });
      // Two heartbeats (1 s apart) on each stream span a safety poll: nothing may arrive.
      await clients[0]!.waitForRaw(() => clients[0]!.raw.filter((l) => l === '').length >= 2);
      assert.equal(clients.reduce((n, c) => n + c.messages.length, 0), 0);
      assert.equal(await len(brokers[2]!.url, q), 1);
      await req(brokers[2]!.url, 'POST', `/control/${q}`, { form: { status: 'start' } });
      for (const c of clients) await c.waitForCount(1);
    } finally {
      for (const c of clients) c.close();
    }
  });

  it('DELETE on one broker ends the streams on every broker with a last null frame', async () => {
    const q = qname();
    const clients = await spread(q);
    try {
      assert.equal((await req(brokers[1]!.url, 'DELETE', `/q/${q}`)).status, 200);
      for (const c of clients) {
        await c.waitForEnd();
        assert.equal(c.gotEnd, true);
      }
    } finally {
      for (const c of clients) c.close();
    }
  });

  it('DELETE /queues/<q> on one broker ends the streams on every broker; no broker lists the queue after', async () => {
    const q = qname();
    await req(brokers[0]!.url, 'POST', `/q/${q}`, { form: { value: 'x' } });
    const clients = await spread(q);
    try {
      assert.equal((await req(brokers[2]!.url, 'DELETE', `/queues/${q}`)).status, 204);
      for (const c of clients) {
        await c.waitForEnd();
        assert.equal(c.gotEnd, true);
      }
    } finally {
      for (const c of clients) c.close();
    }
    for (const b of brokers) {
      await waitUntil('no consumer left', async () => (JSON.parse((await req(b.url, 'GET', `/stats/${q}`)).text) as { consumers: number }).consumers === 0);
      const all = JSON.parse((await req(b.url, 'GET', '/stats/')).text) as { queues: Record<string, unknown> };
      assert.ok(!(q in all.queues), `${b.url} does not list the deleted queue`);
    }
  });

  it('messages LPUSHed by an old RestMQ (no notification) reach consumers through the safety poll', { skip: backend !== 'redis' && 'an old RestMQ cannot share a cluster' }, async () => {
    const q = qname();
    const clients = await spread(q);
    const raw = redisClient(store.redis!.port);
    try {
      // Exactly the original's queue_add sequence.
      const n = await raw.incr(`${q}:UUID`);
      await raw.set(`${q}:${n}`, 'from-the-old-broker');
      await raw.sadd('QUEUESET', q);
      await raw.set(`queuestat::${q}`, '1');
      await raw.lpush(`${q}:queue`, `${q}:${n}`);
      for (const c of clients) {
        await c.waitForCount(1, 5000);
        assert.deepEqual(c.messages[0], { key: `${q}:1`, value: 'from-the-old-broker' });
      }
    } finally {
      raw.disconnect();
      for (const c of clients) c.close();
    }
  });

  if (backend === 'redis-cluster') {
    it('the queues of these tests are on every primary of the cluster', async () => {
      await assertQueuesSpread(store, made);
    });
  }
});
