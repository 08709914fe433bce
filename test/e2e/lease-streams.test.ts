/**
 * At-least-once streaming on every backend: `/ws/<q>?lease=<s>` and `/sse/<q>?lease=<s>`
 * deliver envelopes with receipts; acks over the WebSocket or by DELETE; unacked messages
 * are redelivered when their lease ends; lease consumers of a roundrobin queue share its
 * messages (on a broadcast queue every consumer gets a copy, without a receipt).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, post, qname, req } from './backends.js';
import { waitUntil } from '../harness/wait.js';
import { SseClient, WsClient } from '../harness/stream-clients.js';

interface Leased {
  key: string;
  value: string;
  receipt: string;
  attempts: number;
}

/** Envelopes with receipts arrive as "replies" in WsClient (they have more than key/value). */
const leasedFrames = (w: WsClient): Leased[] => w.replies.map((t) => JSON.parse(t) as Leased).filter((m) => typeof m.receipt === 'string' && typeof m.key === 'string' && 'attempts' in m);

/** A fresh roundrobin queue: its leased consumers share its messages. */
async function sharedQueue(base: string): Promise<string> {
  const q = qname();
  assert.equal((await req(base, 'POST', `/p/${q}`, { form: { policy: 'roundrobin' } })).status, 200);
  return q;
}

forEachBackend((ctx) => {
  describe('leased streaming', () => {
    it('WebSocket: receipts, acks as frames, and redelivery of what was not acked', async () => {
      const q = await sharedQueue(ctx().url);
      const w = await WsClient.open(ctx().url, `${q}?lease=2`);
      try {
        const keys = [await post(ctx().url, q, 'a'), await post(ctx().url, q, 'b'), await post(ctx().url, q, 'c')];
        await waitUntil('three leased messages', async () => leasedFrames(w).length >= 3);
        const [a, b, c] = leasedFrames(w);
        assert.deepEqual([a!.key, b!.key, c!.key], keys);
        assert.equal(a!.attempts, 1);
        for (const m of [a!, b!]) assert.equal((JSON.parse(await w.request(JSON.stringify({ cmd: 'ack', receipt: m.receipt }))) as { status: string }).status, 'acked');
        await waitUntil('the unacked message to come back', async () => leasedFrames(w).some((m) => m.key === c!.key && m.attempts === 2), 8000);
        const again = leasedFrames(w).find((m) => m.key === c!.key && m.attempts === 2)!;
        assert.equal((JSON.parse(await w.request(JSON.stringify({ cmd: 'ack', receipt: again.receipt }))) as { status: string }).status, 'acked');
        assert.equal(leasedFrames(w).filter((m) => m.key === a!.key).length, 1, 'acked messages are not redelivered');
      } finally {
        w.close();
      }
    });

    it('SSE: envelopes carry receipts; DELETE acks them', async () => {
      const q = await sharedQueue(ctx().url);
      const s = await SseClient.open(ctx().url, `/sse/${q}?lease=30`);
      try {
        await post(ctx().url, q, 'x');
        await s.waitForCount(1);
        const raw = s.raw.join('');
        const receipt = /"receipt": "([^"]+)"/.exec(raw)?.[1];
        assert.ok(receipt, `a receipt in ${raw}`);
        assert.equal((await req(ctx().url, 'DELETE', `/q/${q}/${receipt}`)).status, 200);
        const stats = JSON.parse((await req(ctx().url, 'GET', `/stats/${q}`)).text) as { inflight: number; len: number };
        assert.equal(stats.inflight + stats.len, 0);
      } finally {
        s.close();
      }
    });

    it('lease consumers of a queue share its messages: each to exactly one', async () => {
      const q = await sharedQueue(ctx().url);
      const clients = [await WsClient.open(ctx().url, `${q}?lease=30&prefetch=20`), await WsClient.open(ctx().url, `${q}?lease=30&prefetch=20`)];
      try {
        const values = Array.from({ length: 40 }, (_, i) => `s${i}`);
        await req(ctx().url, 'POST', `/q/${q}?batch=1`, { body: JSON.stringify(values), type: 'application/json' });
        await waitUntil('40 leased deliveries', async () => clients.reduce((n, c) => n + leasedFrames(c).length, 0) >= 40);
        const got = clients.flatMap((c) => leasedFrames(c).map((m) => m.value));
        assert.deepEqual(got.sort(), [...values].sort());
      } finally {
        for (const c of clients) c.close();
      }
    });
  });
});
