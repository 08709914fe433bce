/**
 * What consumers see, on every backend: every view counts the same consumers (leased streams
 * included), WebSocket commands are answered in order with their id, and a long poll on a
 * stopped queue waits (stream-consumers.test.ts has prefetch and the shared policy).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachBackend, command, post, qname, req, take } from './backends.js';
import { waitUntil as until } from '../harness/wait.js';
import { SseClient, WsClient } from '../harness/stream-clients.js';
import { RestMQ } from '../../client/index.js';

interface Stats {
  len: number;
  inflight: number;
  consumers: number;
}

async function stats(base: string, q: string): Promise<Stats> {
  return JSON.parse((await req(base, 'GET', `/stats/${q}`)).text) as Stats;
}

interface Row {
  queue: string;
  consumers: number;
  transports: { comet: number; sse: number; ws: number; poll: number };
}

/** The dashboard's row of a queue. */
async function dashboardRow(base: string, q: string): Promise<Row | undefined> {
  return (JSON.parse((await req(base, 'GET', '/dashboard/api/queues')).text) as { queues: Row[] }).queues.find((r) => r.queue === q);
}

forEachBackend((ctx) => {
  describe('consumer counts', () => {
    it('one leased SSE consumer counts 1 in /stats, JSON stats, the SDK, the dashboard and /metrics', async () => {
      const q = qname();
      const s = await SseClient.open(ctx().url, `/sse/${q}?lease=30`);
      try {
        await post(ctx().url, q, 'x'); // registers the queue, so every view lists it
        await until('/stats counts it', async () => (await stats(ctx().url, q)).consumers === 1);
        assert.equal((await command(ctx().url, { cmd: 'stats', queue: q }))['consumers'], 1);
        assert.equal((await new RestMQ({ url: ctx().url }).stats(q)).consumers, 1);
        const row = await dashboardRow(ctx().url, q);
        assert.equal(row?.consumers, 1);
        assert.equal(row?.transports.sse, 1);
        const metrics = (await req(ctx().url, 'GET', '/metrics')).text;
        assert.match(metrics, new RegExp(`restmq_queue_consumers_all_brokers\\{queue="${q}"\\} 1\\b`));
      } finally {
        s.close();
      }
      await until('0 once it left', async () => (await stats(ctx().url, q)).consumers === 0);
    });
  });

  describe('WebSocket commands', () => {
    it('are answered in the order received, with their id echoed', async () => {
      const q = qname();
      const w = await WsClient.open(ctx().url, q);
      try {
        const n = w.replies.length;
        w.socket.send(JSON.stringify({ cmd: 'add', queue: `${q}-other`, value: 'x'.repeat(50_000), id: 'a1' }));
        w.socket.send('ping');
        w.socket.send(JSON.stringify({ cmd: 'len', queue: `${q}-other`, id: 7 }));
        w.socket.send(JSON.stringify({ cmd: 'ack', receipt: '1.aaaaaaaaaaaa', id: 'bad' }));
        await until('four replies', async () => w.replies.length >= n + 4);
        const [add, ping, len, bad] = w.replies.slice(n) as [string, string, string, string];
        assert.equal((JSON.parse(add) as { id: string; key: string }).id, 'a1');
        assert.equal(ping, 'ping');
        assert.deepEqual(JSON.parse(len), { id: 7, queue: `${q}-other`, len: 1 });
        const err = JSON.parse(bad) as { id: string; code: string };
        assert.equal(err.id, 'bad');
        assert.equal(err.code, 'STALE_RECEIPT');
      } finally {
        w.close();
      }
    });
  });

  describe('long poll on a stopped queue', () => {
    it('GET ?wait= waits for the whole wait, then 204 with X-RestMQ-Status: stopped', async () => {
      const q = qname();
      await post(ctx().url, q, 'held');
      assert.equal((await req(ctx().url, 'POST', `/control/${q}`, { form: { status: 'stop' } })).status, 200);
      const t0 = Date.now();
      const r = await req(ctx().url, 'GET', `/q/${q}?wait=2`);
      assert.equal(r.status, 204);
      assert.equal(r.headers.get('x-restmq-status'), 'stopped');
      assert.ok(Date.now() - t0 >= 1900, `answered after ${Date.now() - t0} ms, before the wait ended`);
    });

    it('a start within the wait delivers', async () => {
      const q = qname();
      await post(ctx().url, q, 'held');
      await req(ctx().url, 'POST', `/control/${q}`, { form: { status: 'stop' } });
      const waiting = req(ctx().url, 'GET', `/q/${q}?wait=20`);
      await until('the poll waits', async () => (await dashboardRow(ctx().url, q))?.transports.poll === 1);
      await req(ctx().url, 'POST', `/control/${q}`, { form: { status: 'start' } });
      const r = await waiting;
      assert.equal(r.status, 200, r.text);
      assert.equal((JSON.parse(r.text) as { value: string }).value, 'held');
    });

    it('the JSON protocol and the SDK wait too', async () => {
      const q = qname();
      await post(ctx().url, q, 'held');
      await req(ctx().url, 'POST', `/control/${q}`, { form: { status: 'stop' } });
      let t0 = Date.now();
      assert.deepEqual(await command(ctx().url, { cmd: 'take', queue: q, wait: 2 }), { error: 'queue stopped' });
      assert.ok(Date.now() - t0 >= 1900, `JSON take answered after ${Date.now() - t0} ms`);
      t0 = Date.now();
      assert.equal(await new RestMQ({ url: ctx().url }).pop(q, { wait: 2 }), null);
      assert.ok(Date.now() - t0 >= 1900, `SDK pop answered after ${Date.now() - t0} ms`);
      await req(ctx().url, 'POST', `/control/${q}`, { form: { status: 'start' } });
      assert.equal((await take(ctx().url, q))?.value, 'held');
    });
  });
});
