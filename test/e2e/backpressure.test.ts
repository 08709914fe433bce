/**
 * Back-pressure, measured on a real broker process (SQLite file store, so queued messages sit
 * on disk and the broker's RSS shows only what streaming holds): a consumer that stops reading
 * is cut off and loses nothing; memory stays flat with one stuck consumer under load and with
 * 1,000 idle streaming consumers.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { spawnBroker, storeFlagFor, type SpawnedBroker } from '../harness/broker.js';
import { CometClient, SseClient, WsClient } from '../harness/stream-clients.js';
import { qname, req } from './backends.js';
import { waitUntil } from '../harness/wait.js';

const MiB = 1024 * 1024;

function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

async function consumersOf(base: string, queue: string): Promise<number> {
  return (JSON.parse((await req(base, 'GET', `/stats/${queue}`)).text) as { consumers: number }).consumers;
}

/** A COMET client that reads nothing until told to, then collects whole lines. */
function stuckConsumer(base: string, queue: string): Promise<{ resume(): Promise<string[]> }> {
  return new Promise((resolve, reject) => {
    const r = http.get(`${base}/c/${queue}`, { agent: false }, (res) => {
      res.pause();
      resolve({
        resume: () =>
          new Promise((done) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (text += d));
            const finish = () => done(text.split('\r\n').slice(0, -1).filter((l) => l.length > 0));
            res.once('end', finish);
            res.once('aborted', finish);
            res.once('error', finish);
            res.once('close', finish);
            res.resume();
          }),
      });
    });
    r.on('error', reject);
  });
}

describe('back-pressure', () => {
  let broker: SpawnedBroker;
  let cleanup: () => void;
  before(async () => {
    const store = storeFlagFor('sqlite');
    cleanup = store.cleanup;
    broker = await spawnBroker(['--store', store.flag, '--log-level', 'warn', '--max-message-bytes', String(2 * MiB), '--stall-timeout', '2', '--max-streams-per-ip', '0']);
  });
  after(async () => {
    await broker?.stop();
    cleanup?.();
  });

  it('a consumer that stops reading is cut off; what it did not receive goes back to the queue', async (t) => {
    const q = qname();
    const stuck = await stuckConsumer(broker.url, q);
    await waitUntil('the consumer to register', async () => (await consumersOf(broker.url, q)) === 1);
    const rssBefore = rssOf(broker.child.pid!);
    const value = 'x'.repeat(64 * 1024);
    const keys: string[] = [];
    // 1,500 × 64 KiB = 94 MiB: far more than socket buffers and the consumer's bound hold.
    // Memory is read after each half: the first half warms the heap and caches up; if the
    // stuck consumer's buffer were unbounded, the second half would add its 47 MiB again.
    let rssMid = 0;
    for (let i = 0; i < 50; i++) {
      const r = await req(broker.url, 'POST', `/q/${q}?batch=1`, { body: JSON.stringify(Array(30).fill(value)), type: 'application/json' });
      assert.equal(r.status, 200, r.text);
      keys.push(...(JSON.parse(r.text) as string[]));
      if (i === 24) rssMid = rssOf(broker.child.pid!);
    }
    const rssEnd = rssOf(broker.child.pid!);
    await waitUntil('the stuck consumer to be cut off', async () => (await consumersOf(broker.url, q)) === 0, 20_000);
    const lines = await stuck.resume();
    const gotStuck = lines.map((l) => (JSON.parse(l) as { key: string }).key);
    const fresh = await CometClient.open(broker.url, q);
    try {
      await waitUntil('every message to be delivered', async () => new Set([...gotStuck, ...fresh.messages.map((m) => m.key)]).size === keys.length, 30_000).catch((err: Error) => {
        const seen = new Set([...gotStuck, ...fresh.messages.map((m) => m.key)]);
        const missing = keys.filter((k) => !seen.has(k));
        throw new Error(`${err.message}: stuck got ${gotStuck.length} (last ${gotStuck.at(-1)}), fresh got ${fresh.messages.length} (first ${fresh.messages[0]?.key}), missing ${missing.length}: ${missing.slice(0, 5).join(' ')}...`);
      });
    } finally {
      fresh.close();
    }
    const all = [...gotStuck, ...fresh.messages.map((m) => m.key)];
    const duplicates = all.length - new Set(all).size;
    t.diagnostic(`stuck consumer received ${gotStuck.length}, the next consumer ${fresh.messages.length}, duplicates ${duplicates}; broker RSS ${(rssBefore / MiB).toFixed(0)} MiB before, ${(rssMid / MiB).toFixed(0)} MiB after 47 MiB pushed, ${(rssEnd / MiB).toFixed(0)} MiB after 94 MiB`);
    assert.ok(gotStuck.length < keys.length, 'the stuck consumer was cut off before the end');
    assert.deepEqual(new Set(all), new Set(keys), 'nothing lost');
    // Nothing lost is the guarantee; what goes back is only what never left the broker. A
    // batch leaves as one socket write, most of which can be in the kernel (so reach the
    // client) while the rest waits: counting that write whole sent a batch twice (31).
    assert.ok(duplicates <= 2, `only messages in doubt are sent twice (got ${duplicates})`);
    assert.ok(rssEnd - rssMid < 32 * MiB, `memory stays flat: the second 47 MiB added ${((rssEnd - rssMid) / MiB).toFixed(0)} MiB`);
  });

  it('WebSocket: a consumer that stops reading is cut off; what it did not receive goes back, nothing twice', async (t) => {
    const q = qname();
    const stuck = await WsClient.open(broker.url, q);
    stuck.socket.pause();
    await waitUntil('the consumer to register', async () => (await consumersOf(broker.url, q)) === 1);
    const value = 'w'.repeat(64 * 1024);
    const keys: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await req(broker.url, 'POST', `/q/${q}?batch=1`, { body: JSON.stringify(Array(30).fill(value)), type: 'application/json' });
      assert.equal(r.status, 200, r.text);
      keys.push(...(JSON.parse(r.text) as string[]));
    }
    await waitUntil('the stuck consumer to be cut off', async () => (await consumersOf(broker.url, q)) === 0, 20_000);
    stuck.socket.resume();
    await waitUntil('the stuck consumer to read what reached it', async () => stuck.ended, 10_000);
    const gotStuck = stuck.messages.map((m) => m.key);
    const fresh = await WsClient.open(broker.url, q);
    try {
      await waitUntil('every message to be delivered', async () => new Set([...gotStuck, ...fresh.messages.map((m) => m.key)]).size === keys.length, 30_000);
    } finally {
      fresh.close();
    }
    const all = [...gotStuck, ...fresh.messages.map((m) => m.key)];
    const duplicates = all.length - new Set(all).size;
    t.diagnostic(`stuck consumer received ${gotStuck.length}, the next consumer ${fresh.messages.length}, duplicates ${duplicates}`);
    assert.ok(gotStuck.length < keys.length, 'the stuck consumer was cut off before the end');
    assert.deepEqual(new Set(all), new Set(keys), 'nothing lost');
    assert.ok(duplicates <= 2, `only messages in doubt are sent twice (got ${duplicates})`);
  });

  it('broadcast: when every local consumer stops reading, the copies none of them got go back to the queue', async (t) => {
    const q = qname();
    const stuck = [await stuckConsumer(broker.url, q), await stuckConsumer(broker.url, q)];
    await waitUntil('both consumers to register', async () => (await consumersOf(broker.url, q)) === 2);
    const value = 'y'.repeat(64 * 1024);
    const keys: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await req(broker.url, 'POST', `/q/${q}?batch=1`, { body: JSON.stringify(Array(30).fill(value)), type: 'application/json' });
      assert.equal(r.status, 200, r.text);
      keys.push(...(JSON.parse(r.text) as string[]));
    }
    await waitUntil('both stuck consumers to be cut off', async () => (await consumersOf(broker.url, q)) === 0, 20_000);
    const received = await Promise.all(stuck.map((s) => s.resume()));
    const gotStuck = new Set(received.flat().map((l) => (JSON.parse(l) as { key: string }).key));
    const fresh = await CometClient.open(broker.url, q);
    try {
      await waitUntil('every message to reach someone', async () => new Set([...gotStuck, ...fresh.messages.map((m) => m.key)]).size === keys.length, 30_000);
    } finally {
      fresh.close();
    }
    t.diagnostic(`two stuck consumers received ${received.map((r) => r.length).join(' and ')} of ${keys.length}; the next consumer got ${fresh.messages.length}`);
    assert.ok(gotStuck.size < keys.length, 'the stuck consumers were cut off before the end');
  });

  it('1,000 idle streaming consumers cost little memory and all get heartbeats... and messages', async (t) => {
    const q = qname();
    const rssBefore = rssOf(broker.child.pid!);
    const clients: SseClient[] = [];
    try {
      for (let i = 0; i < 1000; i++) clients.push(await SseClient.open(broker.url, `/sse/${q}`));
      await waitUntil('1,000 consumers', async () => (await consumersOf(broker.url, q)) === 1000, 20_000);
      const rssAfter = rssOf(broker.child.pid!);
      const perConsumer = (rssAfter - rssBefore) / 1000;
      t.diagnostic(`broker RSS ${(rssBefore / MiB).toFixed(1)} MiB before, ${(rssAfter / MiB).toFixed(1)} MiB with 1,000 idle SSE consumers (${(perConsumer / 1024).toFixed(1)} KiB each)`);
      assert.ok(perConsumer < 64 * 1024, `under 64 KiB per idle consumer (got ${(perConsumer / 1024).toFixed(1)} KiB)`);
      const key = (await req(broker.url, 'POST', `/q/${q}`, { form: { value: 'to all' } })).text.trim();
      for (const c of clients) await c.waitForCount(1, 20_000);
      assert.ok(clients.every((c) => c.messages[0]!.key === key));
    } finally {
      for (const c of clients) c.close();
    }
  });
});
