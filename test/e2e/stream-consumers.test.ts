/**
 * Streaming consumers a worker fleet can rely on, on every backend: a leased stream holds at
 * most its prefetch and gives back what it held the moment it leaves; plain and leased
 * consumers of a queue share it under one policy (consumer-views.test.ts has the rest).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, post, qname, req } from './backends.js';
import { waitUntil as until } from '../harness/wait.js';
import { SseClient, WsClient } from '../harness/stream-clients.js';

interface Stats {
  len: number;
  inflight: number;
  consumers: number;
}

async function stats(base: string, q: string): Promise<Stats> {
  return JSON.parse((await req(base, 'GET', `/stats/${q}`)).text) as Stats;
}

async function roundrobin(base: string): Promise<string> {
  const q = qname();
  assert.equal((await req(base, 'POST', `/p/${q}`, { form: { policy: 'roundrobin' } })).status, 200);
  return q;
}

async function fill(base: string, q: string, n: number): Promise<void> {
  const values = Array.from({ length: n }, (_, i) => `m${i}`);
  assert.equal((await req(base, 'POST', `/q/${q}?batch=1`, { body: JSON.stringify(values), type: 'application/json' })).status, 200);
}

/** The receipts an SSE stream carried so far, in order. */
function receipts(s: SseClient): string[] {
  return [...s.raw.join('').matchAll(/"receipt": "([^"]+)"/g)].map((m) => m[1]!);
}

forEachBackend((ctx) => {
  describe('leased streams: prefetch', () => {
    it('a leased SSE consumer holds at most its default prefetch (10), not the whole queue', async () => {
      const q = await roundrobin(ctx().url);
      await fill(ctx().url, q, 30);
      const s = await SseClient.open(ctx().url, `/sse/${q}?lease=600`);
      try {
        await s.waitForCount(10);
        await until('10 in flight, 20 ready', async () => {
          const st = await stats(ctx().url, q);
          return st.inflight === 10 && st.len === 20;
        });
        assert.equal(s.messages.length, 10);
      } finally {
        s.close();
      }
    });

    it('prefetch=<n>: an ack makes room for exactly one more', async () => {
      const q = await roundrobin(ctx().url);
      await fill(ctx().url, q, 30);
      const s = await SseClient.open(ctx().url, `/sse/${q}?lease=600&prefetch=3`);
      try {
        await s.waitForCount(3);
        assert.equal((await req(ctx().url, 'DELETE', `/q/${q}/${receipts(s)[0]}`)).status, 200);
        await s.waitForCount(4);
        await until('3 in flight, 26 ready', async () => {
          const st = await stats(ctx().url, q);
          return st.inflight === 3 && st.len === 26;
        });
        assert.equal(s.messages.length, 4);
      } finally {
        s.close();
      }
    });

    it('a bad prefetch is refused', async () => {
      for (const bad of ['0', '1001', 'x']) {
        const r = await req(ctx().url, 'GET', `/sse/${qname()}?lease=30&prefetch=${bad}`);
        assert.equal(r.status, 400, r.text);
        assert.equal((JSON.parse(r.text) as { code: string }).code, 'INVALID_PREFETCH');
      }
    });

    it('when the connection ends, what it held goes back at once, its attempt counted', async () => {
      const q = await roundrobin(ctx().url);
      await fill(ctx().url, q, 30);
      const s = await SseClient.open(ctx().url, `/sse/${q}?lease=600&prefetch=5`);
      await s.waitForCount(5);
      s.close();
      await until('all 30 ready again (the lease is 600 s)', async () => {
        const st = await stats(ctx().url, q);
        return st.inflight === 0 && st.len === 30;
      });
      const again = JSON.parse((await req(ctx().url, 'GET', `/q/${q}?lease=30`)).text) as { key: string; attempts: number };
      assert.equal(again.key, `${q}:1`);
      assert.equal(again.attempts, 2);
    });

    it('WebSocket: prefetch, and acks over the socket make room', async () => {
      const q = await roundrobin(ctx().url);
      await fill(ctx().url, q, 20);
      const w = await WsClient.open(ctx().url, `${q}?lease=600&prefetch=2`);
      try {
        // Envelopes with receipts (an ack's reply names its receipt too, but has no key).
        const leased = () => w.replies.map((t) => JSON.parse(t) as { key?: string; receipt?: string }).filter((m) => typeof m.receipt === 'string' && typeof m.key === 'string');
        await until('2 leased', async () => leased().length >= 2);
        const ack = JSON.parse(await w.request(JSON.stringify({ cmd: 'ack', receipt: leased()[0]!.receipt }))) as { status: string };
        assert.equal(ack.status, 'acked');
        await until('a third', async () => leased().length >= 3);
        await until('2 in flight', async () => (await stats(ctx().url, q)).inflight === 2);
        assert.equal(leased().length, 3);
      } finally {
        w.close();
      }
    });
  });

  describe('one policy for plain and leased consumers', () => {
    it('roundrobin: a plain and a leased consumer each get a fair share of 100', async () => {
      const q = await roundrobin(ctx().url);
      const plain = await SseClient.open(ctx().url, `/sse/${q}`);
      const leased = await SseClient.open(ctx().url, `/sse/${q}?lease=30`);
      // The leased worker acknowledges each message as it arrives.
      let acked = 0;
      const acking = (async () => {
        while (acked < 100 && !leased.ended) {
          await leased.waitForCount(acked + 1, 30_000).catch(() => undefined);
          const rs = receipts(leased);
          for (; acked < rs.length; acked++) assert.equal((await req(ctx().url, 'DELETE', `/q/${q}/${rs[acked]}`)).status, 200);
          if (plain.messages.length + leased.messages.length >= 100) break;
        }
      })();
      try {
        await until('both registered', async () => (await stats(ctx().url, q)).consumers === 2);
        for (let i = 0; i < 100; i++) await post(ctx().url, q, `v${i}`);
        await until('100 delivered', async () => plain.messages.length + leased.messages.length >= 100, 30_000);
        await acking;
        const all = [...plain.messages, ...leased.messages].map((m) => m.value).sort();
        assert.deepEqual(all, Array.from({ length: 100 }, (_, i) => `v${i}`).sort(), 'each message to exactly one consumer');
        assert.ok(plain.messages.length >= 40, `plain got ${plain.messages.length}`);
        assert.ok(leased.messages.length >= 40, `leased got ${leased.messages.length}`);
      } finally {
        plain.close();
        leased.close();
      }
    });

    it('broadcast: a plain and a leased consumer both get all 100', async () => {
      const q = qname();
      const plain = await SseClient.open(ctx().url, `/sse/${q}`);
      const leased = await SseClient.open(ctx().url, `/sse/${q}?lease=30`);
      try {
        await until('both registered', async () => (await stats(ctx().url, q)).consumers === 2);
        for (let i = 0; i < 100; i++) await post(ctx().url, q, `v${i}`);
        await plain.waitForCount(100, 30_000);
        await leased.waitForCount(100, 30_000);
        const want = Array.from({ length: 100 }, (_, i) => `v${i}`);
        assert.deepEqual(plain.messages.map((m) => m.value), want);
        assert.deepEqual(leased.messages.map((m) => m.value), want);
        assert.equal(receipts(leased).length, 0, 'a broadcast copy is not leased');
        assert.equal((await stats(ctx().url, q)).inflight, 0);
      } finally {
        plain.close();
        leased.close();
      }
    });
  });
});
