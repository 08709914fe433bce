/**
 * Streaming consumers across three broker processes on one Redis, then on one Redis Cluster
 * (whose queues must be on every primary): plain and leased consumers
 * of one queue under one policy wherever they are connected, prefetch held across brokers
 * (an ack through another broker makes room), what a leased consumer held goes back the moment
 * it leaves, and every broker counts the same consumers.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnBroker, type SpawnedBroker } from '../harness/broker.js';
import { SseClient } from '../harness/stream-clients.js';
import { command, post, qname as newQueueName, req } from './backends.js';
import { waitUntil as until } from '../harness/wait.js';
import { assertQueuesSpread, SHARED_BACKENDS, startSharedStore, titleOf, type SharedStore } from './shared-store.js';

interface Stats {
  len: number;
  inflight: number;
  consumers: number;
  polls: number;
}

const receipts = (s: SseClient): string[] => [...s.raw.join('').matchAll(/"receipt": "([^"]+)"/g)].map((m) => m[1]!);

for (const backend of SHARED_BACKENDS) describe(`three brokers on ${titleOf(backend)}: plain and leased consumers`, () => {
  let store: SharedStore;
  let brokers: SpawnedBroker[] = [];
  /** The group's queue names, for the cluster's spread check. */
  const made: string[] = [];
  const qname = (): string => {
    const q = newQueueName();
    made.push(q);
    return q;
  };
  const url = (i: number) => brokers[i]!.url;
  const stats = async (i: number, q: string) => JSON.parse((await req(url(i), 'GET', `/stats/${q}`)).text) as Stats;
  const roundrobin = async () => {
    const q = qname();
    assert.equal((await req(url(0), 'POST', `/p/${q}`, { form: { policy: 'roundrobin' } })).status, 200);
    return q;
  };

  before(async () => {
    store = await startSharedStore(backend);
    brokers = await Promise.all([0, 1, 2].map(() => spawnBroker(['--store', store.url, '--heartbeat', '1', '--log-level', 'warn'], { timeoutMs: 90_000 })));
  });
  after(async () => {
    await Promise.all(brokers.map((b) => b.stop()));
    await store?.stop();
  });

  /**
   * 100 messages to a plain consumer on broker 0 and a leased one on broker 1 (acknowledging
   * through broker 2), posted by `producers` at once through every broker; their shares.
   */
  const fairShare = async (leasedArgs: string, producers: number) => {
    const q = await roundrobin();
    const plain = await SseClient.open(url(0), `/sse/${q}`);
    const leased = await SseClient.open(url(1), `/sse/${q}?${leasedArgs}`);
    let acked = 0;
    let done = false;
    const acking = (async () => {
      while (!done) {
        await leased.waitForCount(acked + 1, 1000).catch(() => undefined);
        const rs = receipts(leased);
        for (; acked < rs.length; acked++) assert.equal((await req(url(2), 'DELETE', `/q/${q}/${rs[acked]}`)).status, 200);
      }
    })();
    try {
      await until('both registered', async () => (await stats(2, q)).consumers === 2);
      await Promise.all(Array.from({ length: producers }, async (_, p) => {
        for (let i = p; i < 100; i += producers) await post(url(producers === 1 ? 2 : i % 3), q, `v${i}`);
      }));
      await until('100 delivered', async () => plain.messages.length + leased.messages.length >= 100, 30_000);
      const all = [...plain.messages, ...leased.messages].map((m) => m.value).sort();
      assert.deepEqual(all, Array.from({ length: 100 }, (_, i) => `v${i}`).sort(), 'each message to exactly one consumer');
      return { plain: plain.messages.length, leased: leased.messages.length };
    } finally {
      done = true;
      await acking;
      plain.close();
      leased.close();
    }
  };

  // A leased consumer's turn is leased to it straight from its broker's inbox, in one store
  // step, so no other broker's dispatch can take it away: a fair share each, as on one broker.
  it('roundrobin: a plain consumer on one broker and a leased one on another each get a fair share of 100', async (t) => {
    const got = await fairShare('lease=30', 1);
    t.diagnostic(`plain ${got.plain}, leased ${got.leased}`);
    assert.ok(got.plain >= 40 && got.leased >= 40, `plain got ${got.plain}, leased ${got.leased}`);
  });

  it('roundrobin, four producers through every broker: each consumer still gets a fair share', async (t) => {
    // Both consuming brokers dispatch while the other handles its turns. Room for every
    // message: this measures whose turn it is, not the prefetch (a leased consumer that holds
    // its prefetch rightly lets its turns go to the other).
    const got = await fairShare('lease=30&prefetch=100', 4);
    t.diagnostic(`plain ${got.plain}, leased ${got.leased}`);
    assert.ok(got.plain >= 40 && got.leased >= 40, `plain got ${got.plain}, leased ${got.leased}`);
  });

  it('broadcast: a plain and a leased consumer on different brokers both get all 100', async () => {
    const q = qname();
    const plain = await SseClient.open(url(0), `/sse/${q}`);
    const leased = await SseClient.open(url(1), `/sse/${q}?lease=30`);
    try {
      await until('both registered', async () => (await stats(2, q)).consumers === 2);
      for (let i = 0; i < 100; i++) await post(url(2), q, `v${i}`);
      const want = Array.from({ length: 100 }, (_, i) => `v${i}`);
      await plain.waitForCount(100, 30_000);
      await leased.waitForCount(100, 30_000);
      assert.deepEqual(plain.messages.map((m) => m.value), want);
      assert.deepEqual(leased.messages.map((m) => m.value), want);
    } finally {
      plain.close();
      leased.close();
    }
  });

  it('prefetch holds on every broker, and an ack through another broker makes room', async () => {
    const q = await roundrobin();
    const body = JSON.stringify(Array.from({ length: 30 }, (_, i) => `m${i}`));
    assert.equal((await req(url(0), 'POST', `/q/${q}?batch=1`, { body, type: 'application/json' })).status, 200);
    const clients = await Promise.all([0, 1, 2].map((i) => SseClient.open(url(i), `/sse/${q}?lease=600&prefetch=3`)));
    try {
      for (const c of clients) await c.waitForCount(3);
      await until('9 in flight', async () => (await stats(0, q)).inflight === 9);
      assert.equal((await req(url(2), 'DELETE', `/q/${q}/${receipts(clients[0]!)[0]}`)).status, 200);
      await clients[0]!.waitForCount(4);
      await until('9 in flight, 20 ready', async () => {
        const st = await stats(1, q);
        return st.inflight === 9 && st.len === 20;
      });
      assert.deepEqual(clients.map((c) => c.messages.length), [4, 3, 3]);
    } finally {
      for (const c of clients) c.close();
    }
  });

  it('a leased consumer that leaves gives back what it held at once, whichever broker dispatched', async () => {
    const q = await roundrobin();
    // A plain consumer on broker 0 keeps that broker dispatching too.
    const plain = await SseClient.open(url(0), `/sse/${q}`);
    const leased = await SseClient.open(url(1), `/sse/${q}?lease=600&prefetch=5`);
    try {
      await until('both registered', async () => (await stats(2, q)).consumers === 2);
      for (let i = 0; i < 20; i++) await post(url(i % 3), q, `v${i}`);
      await leased.waitForCount(5, 15_000);
      await plain.waitForCount(15, 15_000);
      await until('5 in flight', async () => (await stats(2, q)).inflight === 5);
      plain.close();
      await until('the plain consumer gone', async () => (await stats(2, q)).consumers === 1);
      leased.close();
      await until('its 5 back in the queue (the lease is 600 s)', async () => {
        const st = await stats(2, q);
        return st.inflight === 0 && st.len === 5 && st.consumers === 0;
      });
      const back = JSON.parse((await req(url(2), 'GET', `/q/${q}?lease=30`)).text) as { attempts: number };
      assert.equal(back.attempts, 2);
    } finally {
      plain.close();
      leased.close();
    }
  });

  it('every broker counts a leased consumer of another', async () => {
    const q = qname();
    const s = await SseClient.open(url(1), `/sse/${q}?lease=30`);
    try {
      await post(url(0), q, 'x');
      await until('broker 0 counts it', async () => (await stats(0, q)).consumers === 1);
      assert.equal((await command(url(2), { cmd: 'stats', queue: q }))['consumers'], 1);
      assert.match((await req(url(2), 'GET', '/metrics')).text, new RegExp(`restmq_queue_consumers_all_brokers\\{queue="${q}"\\} 1\\b`));
    } finally {
      s.close();
    }
  });

  it('every broker counts a long poll waiting on another, and forgets it once answered', async () => {
    const q = qname();
    const polled = req(url(1), 'GET', `/q/${q}?wait=30`);
    try {
      await until('broker 0 counts it', async () => (await stats(0, q)).polls === 1);
      assert.equal((await command(url(2), { cmd: 'stats', queue: q }))['polls'], 1);
      assert.equal((await stats(0, q)).consumers, 0, 'a long poll is not a stream');
    } finally {
      await post(url(2), q, 'x');
      assert.equal((await polled).status, 200);
    }
    await until('no broker counts it', async () => (await stats(0, q)).polls === 0 && (await stats(2, q)).polls === 0);
  });
  if (backend === 'redis-cluster') {
    it('the queues of these tests are on every primary of the cluster', async () => {
      await assertQueuesSpread(store, made);
    });
  }
});
