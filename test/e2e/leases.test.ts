/**
 * Reliable delivery over HTTP on every backend (SPEC section 6): leases and receipts on
 * GET /q/<q>?lease=, ack (DELETE), nack, extend, the JSON commands, queue settings on /p/<q>,
 * dead letters and redrive, and the counts in /stats/<q>.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { command, forEachBackend, WITH_CLUSTER, len, post, qname, req } from './backends.js';
import { waitUntil } from '../harness/wait.js';

interface Leased {
  key: string;
  value: string;
  receipt: string;
  attempts: number;
}

async function lease(base: string, queue: string, seconds = 30): Promise<Leased | null> {
  const r = await req(base, 'GET', `/q/${queue}?lease=${seconds}`);
  if (r.status === 204) return null;
  assert.equal(r.status, 200, r.text);
  assert.ok(r.text.endsWith('\r\n'), 'CRLF framing as every envelope');
  return JSON.parse(r.text) as Leased;
}

const stats = async (base: string, queue: string) => JSON.parse((await req(base, 'GET', `/stats/${queue}`)).text) as { len: number; inflight: number; dead: number };

forEachBackend((ctx) => {
  describe('leases and receipts', () => {
    it('GET ?lease= hands out the message with a receipt and attempts 1, hidden until acked', async () => {
      const q = qname();
      const key = await post(ctx().url, q, 'job');
      const m = await lease(ctx().url, q);
      assert.ok(m);
      assert.equal(m.key, key);
      assert.equal(m.value, 'job');
      assert.equal(m.attempts, 1);
      assert.match(m.receipt, /^\d+\.[A-Za-z0-9_-]{8,}$/);
      assert.equal((await req(ctx().url, 'GET', `/q/${q}`)).status, 204, 'invisible while leased');
      const s = await stats(ctx().url, q);
      assert.equal(s.inflight, 1);
      assert.equal(s.len, 0);
      const ack = await req(ctx().url, 'DELETE', `/q/${q}/${m.receipt}`);
      assert.equal(ack.status, 200);
      assert.deepEqual(JSON.parse(ack.text), { queue: q, receipt: m.receipt, status: 'acked' });
      assert.equal((await stats(ctx().url, q)).inflight, 0);
      const again = await req(ctx().url, 'DELETE', `/q/${q}/${m.receipt}`);
      assert.equal(again.status, 409);
      assert.equal((JSON.parse(again.text) as { code: string }).code, 'STALE_RECEIPT');
    });

    it('an expired lease returns the message to the front with attempts + 1; the old receipt is stale', async () => {
      const q = qname();
      await post(ctx().url, q, 'first');
      const m1 = await lease(ctx().url, q, 1);
      assert.ok(m1);
      await post(ctx().url, q, 'second');
      // The broker's reaper returns it on time with no request involved: watch the counts.
      await waitUntil('the expired lease to be returned', async () => (await stats(ctx().url, q)).len === 2, 5000);
      const again = await lease(ctx().url, q, 30);
      assert.ok(again);
      assert.equal(again.value, 'first', 'back at the front, before the newer message');
      assert.equal(again.key, m1.key);
      assert.equal(again.attempts, 2);
      assert.notEqual(again.receipt, m1.receipt);
      assert.equal((await req(ctx().url, 'DELETE', `/q/${q}/${m1.receipt}`)).status, 409);
      assert.equal((await req(ctx().url, 'DELETE', `/q/${q}/${again.receipt}`)).status, 200);
    });

    it('nack returns it at once; extend keeps it; count= leases a batch', async () => {
      const q = qname();
      await post(ctx().url, q, 'a');
      await post(ctx().url, q, 'b');
      const batch = JSON.parse((await req(ctx().url, 'GET', `/q/${q}?lease=30&count=5`)).text) as Leased[];
      assert.deepEqual(batch.map((m) => m.value), ['a', 'b']);
      const nack = await req(ctx().url, 'POST', `/q/${q}/${batch[0]!.receipt}/nack`);
      assert.equal(nack.status, 200, nack.text);
      const ext = await req(ctx().url, 'POST', `/q/${q}/${batch[1]!.receipt}/extend?lease=60`);
      assert.equal(ext.status, 200, ext.text);
      const back = await lease(ctx().url, q);
      assert.equal(back?.value, 'a');
      assert.equal(back?.attempts, 2);
      assert.equal((await req(ctx().url, 'POST', `/q/${q}/${batch[0]!.receipt}/extend?lease=5`)).status, 409);
    });

    it('bad receipts and leases are 400', async () => {
      const q = qname();
      assert.equal((await req(ctx().url, 'DELETE', `/q/${q}/not-a-receipt`)).status, 400);
      assert.equal((await req(ctx().url, 'GET', `/q/${q}?lease=0`)).status, 400);
      assert.equal((await req(ctx().url, 'GET', `/q/${q}?lease=abc`)).status, 400);
      assert.equal((await req(ctx().url, 'POST', `/q/${q}/1.abcdef12/extend`)).status, 400, 'extend needs lease=');
    });

    it('the JSON protocol has lease, ack, nack and extend', async () => {
      const q = qname();
      await post(ctx().url, q, 'j');
      const m = (await command(ctx().url, { cmd: 'lease', queue: q, lease: 30 })) as unknown as Leased;
      assert.equal(m.value, 'j');
      assert.equal(m.attempts, 1);
      assert.deepEqual(await command(ctx().url, { cmd: 'extend', queue: q, receipt: m.receipt, lease: 60 }), { queue: q, receipt: m.receipt, status: 'extended' });
      assert.deepEqual(await command(ctx().url, { cmd: 'nack', queue: q, receipt: m.receipt }), { queue: q, receipt: m.receipt, status: 'returned' });
      const m2 = (await command(ctx().url, { cmd: 'lease', queue: q, lease: 30 })) as unknown as Leased;
      assert.deepEqual(await command(ctx().url, { cmd: 'ack', queue: q, receipt: m2.receipt }), { queue: q, receipt: m2.receipt, status: 'acked' });
      assert.deepEqual(await command(ctx().url, { cmd: 'lease', queue: q, lease: 30 }), { error: 'empty queue' });
    });
  });

  describe('dead letters', () => {
    it('max_attempts moves a message to <q>.dead; redrive moves it back', async () => {
      const q = qname();
      const p = await req(ctx().url, 'POST', `/p/${q}`, { form: { max_attempts: '2' } });
      assert.equal(p.text, 'OK\r\n');
      const shown = JSON.parse((await req(ctx().url, 'GET', `/p/${q}`)).text) as { max_attempts: number; value: string };
      assert.equal(shown.max_attempts, 2);
      assert.equal(shown.value, 'broadcast');
      await post(ctx().url, q, 'poison');
      for (let attempt = 1; attempt <= 2; attempt++) {
        const m = await lease(ctx().url, q);
        assert.equal(m?.attempts, attempt);
        assert.equal((await req(ctx().url, 'POST', `/q/${q}/${m!.receipt}/nack`)).status, 200);
      }
      assert.equal(await len(ctx().url, q), 0);
      assert.equal(await len(ctx().url, `${q}.dead`), 1);
      assert.equal((await stats(ctx().url, q)).dead, 1);
      const r = await req(ctx().url, 'POST', `/q/${q}.dead/redrive`);
      assert.equal(r.status, 200, r.text);
      assert.equal((JSON.parse(r.text) as { redriven: number }).redriven, 1);
      const back = await lease(ctx().url, q);
      assert.equal(back?.value, 'poison');
    });

    it('bad settings are refused', async () => {
      const q = qname();
      assert.equal((await req(ctx().url, 'POST', `/p/${q}`, { form: { max_attempts: 'x' } })).status, 400);
      assert.equal((await req(ctx().url, 'POST', `/p/${q}`, { form: { dead_letter: 'bad:name' } })).status, 400);
      assert.equal((await req(ctx().url, 'POST', `/p/${q}`, { form: { lease: '0' } })).status, 400);
    });
  });

  describe('delay and dedup', () => {
    it('delay=<s>: invisible (and counted as delayed) until due, then delivered', async () => {
      const q = qname();
      const key = await post(ctx().url, q, 'later', { delay: '1' });
      assert.equal((await req(ctx().url, 'GET', `/q/${q}`)).status, 204);
      assert.equal((JSON.parse((await req(ctx().url, 'GET', `/stats/${q}`)).text) as { delayed: number }).delayed, 1);
      let got: { key: string } | undefined;
      await waitUntil('the delayed message to become visible', async () => {
        const r = await req(ctx().url, 'GET', `/q/${q}`);
        if (r.status === 200) got = JSON.parse(r.text) as { key: string };
        return got !== undefined;
      }, 5000);
      assert.equal(got!.key, key);
    });

    it('dedup=<id>: a retry returns the first key and enqueues nothing', async () => {
      const q = qname();
      const first = await post(ctx().url, q, 'once', { dedup: 'order-42' });
      const retry = await post(ctx().url, q, 'once again', { dedup: 'order-42' });
      assert.equal(retry, first);
      assert.equal(await len(ctx().url, q), 1);
      assert.notEqual(await post(ctx().url, q, 'other', { dedup: 'order-43' }), first);
      const j = await command(ctx().url, { cmd: 'add', queue: q, value: 'json', dedup: 'order-42' });
      assert.equal(j['key'], first);
      assert.equal((await req(ctx().url, 'POST', `/q/${q}`, { form: { value: 'x', delay: '-1' } })).status, 400);
    });
  });
}, { backends: WITH_CLUSTER });
