/**
 * Long polling (`GET /q/<q>?wait=<s>`) on every backend: a waiting request gets the next
 * message, times out with 204, works with leases and count, and many waiters share messages
 * exactly once.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, post, qname, req } from './backends.js';

forEachBackend((ctx) => {
  describe('long poll', () => {
    it('a waiting GET receives the message posted while it waits', async () => {
      const q = qname();
      const waiting = req(ctx().url, 'GET', `/q/${q}?wait=10`);
      // One round trip on the same broker: the waiting request has registered by now.
      assert.equal((await req(ctx().url, 'GET', `/q/${q}`)).status, 204);
      const key = await post(ctx().url, q, 'worth the wait');
      const r = await waiting;
      assert.equal(r.status, 200);
      assert.deepEqual(JSON.parse(r.text), { count: 0, key, value: 'worth the wait' });
    });

    it('no message within the wait: 204 with an empty body', async () => {
      const r = await req(ctx().url, 'GET', `/q/${qname()}?wait=1`);
      assert.equal(r.status, 204);
      assert.equal(r.text, '');
    });

    it('with lease= the message comes with a receipt', async () => {
      const q = qname();
      const waiting = req(ctx().url, 'GET', `/q/${q}?wait=10&lease=30`);
      assert.equal((await req(ctx().url, 'GET', `/q/${q}`)).status, 204);
      await post(ctx().url, q, 'leased');
      const m = JSON.parse((await waiting).text) as { receipt: string; attempts: number };
      assert.equal(m.attempts, 1);
      assert.equal((await req(ctx().url, 'DELETE', `/q/${q}/${m.receipt}`)).status, 200);
    });

    it('100 waiters and 100 messages: each message to exactly one waiter', async () => {
      const q = qname();
      const waiters = Array.from({ length: 100 }, () => req(ctx().url, 'GET', `/q/${q}?wait=20`));
      assert.equal((await req(ctx().url, 'GET', `/q/${q}`)).status, 204);
      const values = Array.from({ length: 100 }, (_, i) => `w${i}`);
      const r = await req(ctx().url, 'POST', `/q/${q}?batch=1`, { body: JSON.stringify(values), type: 'application/json' });
      assert.equal(r.status, 200);
      const got = (await Promise.all(waiters)).map((x) => {
        assert.equal(x.status, 200, x.text);
        return (JSON.parse(x.text) as { value: string }).value;
      });
      assert.deepEqual(got.sort(), [...values].sort());
    });

    it('a bad wait is 400', async () => {
      assert.equal((await req(ctx().url, 'GET', `/q/${qname()}?wait=61`)).status, 400);
      assert.equal((await req(ctx().url, 'GET', `/q/${qname()}?wait=x`)).status, 400);
    });
  });
});
