/**
 * The client SDK (client/) against real brokers on every backend: push/pop, batches, leases,
 * peeks, stats, policy, flow control, errors, and SSE/WebSocket subscriptions (plain and
 * leased, acked over the socket or HTTP); reconnection across a broker restart on the same
 * SQLite file and port; Basic auth and API keys against a broker with an ACL file.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestMQ, RestMQError, type Subscription, type Transport } from '../../client/index.js';
import { forEachBackend, qname } from './backends.js';
import { spawnBroker, startTestBroker, type TestBroker } from '../harness/broker.js';
import { freePort } from '../harness/redis.js';

/** The next `n` items of a subscription, failing after `timeoutMs`. */
async function nextN<T>(sub: Subscription<T>, n: number, timeoutMs = 8000): Promise<T[]> {
  const out: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${n} messages (got ${out.length})`)), timeoutMs);
  });
  try {
    while (out.length < n) {
      const r = await Promise.race([sub.next(), timeout]);
      assert.ok(!r.done, `the subscription ended after ${out.length} of ${n} messages`);
      out.push(r.value);
    }
    return out;
  } finally {
    clearTimeout(timer);
  }
}

async function rejectsWith(p: Promise<unknown>, status: number, code: string): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof RestMQError, `expected a RestMQError, got ${String(err)}`);
    assert.equal(err.status, status, err.message);
    assert.equal(err.code, code, err.message);
    return true;
  });
}

forEachBackend((ctx) => {
  const mq = () => new RestMQ({ url: ctx().url });

  it('push and pop keep the value byte for byte; an empty queue pops null', async () => {
    const q = qname();
    const value = '  spaced {"json": true}\nsecond line  ';
    const key = await mq().push(q, value);
    assert.equal(key, `${q}:1`);
    const m = await mq().pop(q);
    assert.deepEqual(m, { count: 0, key, value });
    assert.equal(await mq().pop(q), null);
    assert.deepEqual(await mq().pop(q, { count: 5 }), []);
  });

  it('pushMany sends batches of 1,000 and keeps the order; pop with count takes a batch', async () => {
    const q = qname();
    const values = Array.from({ length: 2500 }, (_, i) => `m${i}`);
    const keys = await mq().pushMany(q, values);
    assert.equal(keys.length, 2500);
    assert.equal(keys[2499], `${q}:2500`);
    assert.equal((await mq().stats(q)).len, 2500);
    const first = await mq().pop(q, { count: 100 });
    assert.deepEqual(first.map((m) => m.value), values.slice(0, 100));
  });

  it('push options: dedup returns the first key, delay hides the message', async () => {
    const q = qname();
    const a = await mq().push(q, 'x', { dedup: 'order-1' });
    assert.equal(await mq().push(q, 'y', { dedup: 'order-1' }), a);
    await mq().push(q, 'later', { delay: 60 });
    const s = await mq().stats(q);
    assert.equal(s.len, 1);
    assert.equal(s.delayed, 1);
  });

  it('lease, ack, nack and extend; a stale receipt is a 409 STALE_RECEIPT', async () => {
    const q = qname();
    await mq().push(q, 'job');
    const m = await mq().lease(q, 30);
    assert.ok(m, 'a leased message');
    assert.equal(m.attempts, 1);
    assert.equal((await mq().stats(q)).inflight, 1);
    await mq().extend(q, m.receipt, 60);
    await mq().nack(q, m.receipt);
    const again = await mq().lease(q, 30);
    assert.ok(again, 'the nacked message comes back');
    assert.equal(again.attempts, 2);
    await rejectsWith(mq().ack(q, m.receipt), 409, 'STALE_RECEIPT');
    await mq().ack(q, again.receipt);
    assert.equal((await mq().stats(q)).inflight, 0);
    assert.equal(await mq().lease(q, 30), null);
    await mq().pushMany(q, ['a', 'b', 'c']);
    const batch = await mq().lease(q, 30, { count: 10 });
    assert.deepEqual(batch.map((b) => b.value), ['a', 'b', 'c']);
  });

  it('pop with wait long-polls: null after the wait, or the message that comes meanwhile', async () => {
    const q = qname();
    const t0 = Date.now();
    assert.equal(await mq().pop(q, { wait: 1 }), null);
    assert.ok(Date.now() - t0 >= 900, `waited ${Date.now() - t0} ms`);
    const waiting = mq().pop(q, { wait: 10 });
    await mq().push(q, 'late');
    assert.equal((await waiting)?.value, 'late');
  });

  it('get peeks without removing; stats, policy and control', async () => {
    const q = qname();
    assert.equal(await mq().get(q), null);
    await mq().push(q, 'peek me');
    const peeked = await mq().get(q);
    assert.equal(peeked?.value, 'peek me');
    assert.equal((await mq().stats(q)).len, 1);
    const all = await mq().stats();
    assert.equal(all[q]?.len, 1);

    assert.equal((await mq().policy(q)).policy, 'broadcast');
    const p = await mq().policy(q, { policy: 'roundrobin', maxAttempts: 3, lease: 20 });
    assert.deepEqual(p, { queue: q, policy: 'roundrobin', lease: 20, maxAttempts: 3 });
    assert.equal((await mq().policy(q, { deadLetter: 'failed' })).deadLetter, 'failed');
    await rejectsWith(mq().policy(q, 'fifo' as 'broadcast'), 200, 'COMMAND_FAILED');

    assert.equal(await mq().control(q), 'started');
    assert.equal(await mq().control(q, 'stop'), 'stopped');
    assert.equal(await mq().pop(q), null, 'a stopped queue pops nothing');
    assert.equal(await mq().control(q, 'start'), 'started');
    assert.equal((await mq().pop(q))?.value, 'peek me');
    assert.equal(await mq().purge(q), false);
  });

  it('peek leaves messages in place, long values cut; queues lists names, sorted', async () => {
    const q = qname();
    const long = 'é'.repeat(5000);
    await mq().pushMany(q, ['a', long, 'c']);
    const seen = await mq().peek(q, { count: 2 });
    assert.deepEqual(seen[0], { key: `${q}:1`, value: 'a', bytes: 1, truncated: false });
    assert.deepEqual([seen[1]?.value.length, seen[1]?.bytes, seen[1]?.truncated], [4096, 10_000, true]);
    assert.equal((await mq().peek(q)).length, 3);
    await rejectsWith(mq().peek(q, { count: 0 }), 400, 'INVALID_COUNT');
    assert.equal((await mq().stats(q)).ready, 3, 'nothing taken');
    const names = await mq().queues();
    assert.ok(names.includes(q));
    assert.deepEqual(names, [...names].sort());
  });

  it('deleteQueue removes a queue; an unknown one is a 404 with the broker\'s code', async () => {
    const q = qname();
    await mq().pushMany(q, ['a', 'b']);
    await mq().deleteQueue(q);
    assert.ok(!(await mq().queues()).includes(q));
    await assert.rejects(mq().deleteQueue(q), (err: unknown) => err instanceof RestMQError && err.status === 404 && err.code !== 'NOT_FOUND');
  });

  it('broker errors carry status and code; an unreachable broker is CONNECTION_FAILED', async () => {
    await rejectsWith(mq().push('bad name!', 'x'), 400, 'INVALID_QUEUE_NAME');
    await rejectsWith(mq().lease(qname(), 0), 400, 'INVALID_LEASE');
    const port = await freePort();
    await rejectsWith(new RestMQ({ url: `http://127.0.0.1:${port}` }).push(qname(), 'x'), 0, 'CONNECTION_FAILED');
  });

  for (const transport of ['sse', 'ws'] as Transport[]) {
    describe(`subscribe over ${transport}`, () => {
      it('receives pushed messages in order and ends when the queue is deleted', async () => {
        const q = qname();
        const sub = mq().subscribe(q, { transport });
        await mq().pushMany(q, ['one', 'two', 'three']);
        const got = await nextN(sub, 3);
        assert.deepEqual(got.map((m) => m.value), ['one', 'two', 'three']);
        assert.equal(got[0]?.key, `${q}:1`);
        await mq().purge(q);
        const end = await sub.next();
        assert.equal(end.done, true, 'the subscription ends with the queue');
      });

      it('with a lease: ack removes, nack redelivers with attempts + 1', async () => {
        const q = qname();
        await mq().policy(q, 'roundrobin'); // leased consumers share a roundrobin queue
        const sub = mq().subscribe(q, { transport, lease: 30 });
        await mq().push(q, 'work');
        const [first] = await nextN(sub, 1);
        assert.ok(first, 'a delivery');
        assert.equal(first.value, 'work');
        assert.equal(first.attempts, 1);
        assert.equal((await mq().stats(q)).inflight, 1);
        await first.nack();
        const [second] = await nextN(sub, 1);
        assert.equal(second?.attempts, 2);
        await second?.ack();
        const s = await mq().stats(q);
        assert.equal(s.inflight, 0);
        assert.equal(s.len, 0);
        await rejectsWith(first.ack(), 409, 'STALE_RECEIPT');
        sub.close();
        assert.equal((await sub.next()).done, true, 'closed');
      });

      it('a refused subscription rejects instead of retrying', async () => {
        const sub = mq().subscribe('bad name!', { transport, backoffMs: 50 });
        await assert.rejects(sub.next(), (err: unknown) => err instanceof RestMQError && err.status === 400);
      });
    });
  }
});

describe('subscriptions reconnect after the broker restarts (SQLite file, same port)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'restmq-sdk-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const transport of ['sse', 'ws'] as Transport[]) {
    it(`over ${transport}`, async () => {
      const store = `sqlite:${join(dir, `${transport}.db`)}`;
      let broker = await spawnBroker(['--store', store]);
      const port = broker.port;
      const mq = new RestMQ({ url: broker.url });
      const q = `q-reconnect-${transport}`;
      const delays: number[] = [];
      const sub = mq.subscribe(q, { transport, onDisconnect: (_err, ms) => delays.push(ms), ...(transport === 'ws' ? { backoffMs: 200 } : {}) });
      try {
        await mq.push(q, 'before');
        assert.equal((await nextN(sub, 1))[0]?.value, 'before');
        assert.equal(sub.connections, 1);
        assert.equal(await broker.stop(), 0);
        broker = await spawnBroker(['--store', store], { port });
        await mq.push(q, 'after');
        const [m] = await nextN(sub, 1, 20_000);
        assert.equal(m?.value, 'after');
        assert.equal(m?.key, `${q}:2`, 'the same store, so the numbering goes on');
        assert.ok(sub.connections >= 2, `reconnected (${sub.connections} connections)`);
        // SSE honours the broker's `retry: 2000`; WebSocket uses the given backoff.
        assert.equal(delays[0], transport === 'sse' ? 2000 : 200);
      } finally {
        sub.close();
        await broker.stop();
      }
    });
  }
});

describe('auth: Basic credentials and API keys, on requests and stream handshakes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'restmq-sdk-acl-'));
  const acl = join(dir, 'acl.conf');
  writeFileSync(
    acl,
    ['[rest:producer]', 'username = producer', 'password = s3cret', '[rest:consumer]', 'username = producer', 'password = s3cret',
      '[sse:consumer]', 'username = viewer', 'password = look-only', '[websocket:consumer]', 'username = viewer', 'password = look-only',
      '[admin]', 'username = root', 'password = t0p-s3cret', ''].join('\n'),
  );
  let broker: TestBroker | undefined;
  before(async () => {
    broker = await startTestBroker('sqlite', { flags: { acl } });
  });
  after(async () => {
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const url = () => {
    assert.ok(broker, 'broker started');
    return broker.url;
  };

  it('Basic auth for requests; none or a wrong password is 401 AUTH_REQUIRED', async () => {
    const q = qname();
    await rejectsWith(new RestMQ({ url: url() }).push(q, 'x'), 401, 'AUTH_REQUIRED');
    await rejectsWith(new RestMQ({ url: url(), auth: { user: 'producer', password: 'nope' } }).push(q, 'x'), 401, 'AUTH_REQUIRED');
    const mq = new RestMQ({ url: url(), auth: { user: 'producer', password: 's3cret' } });
    assert.equal(await mq.push(q, 'x'), `${q}:1`);
    assert.equal((await mq.pop(q))?.value, 'x');
  });

  for (const transport of ['sse', 'ws'] as Transport[]) {
    it(`${transport} handshakes carry the credentials; a refused one ends the subscription with 401`, async () => {
      const q = qname();
      const refused = new RestMQ({ url: url() }).subscribe(q, { transport });
      await rejectsWith(refused.next(), 401, 'AUTH_REQUIRED');
      await new RestMQ({ url: url(), auth: { user: 'producer', password: 's3cret' } }).push(q, 'streamed');
      const sub = new RestMQ({ url: url(), auth: { user: 'viewer', password: 'look-only' } }).subscribe(q, { transport });
      try {
        assert.equal((await nextN(sub, 1))[0]?.value, 'streamed');
      } finally {
        sub.close();
      }
    });
  }

  it('an API key (Bearer) works within its privileges and queues: 403 FORBIDDEN outside them', async () => {
    const admin = new RestMQ({ url: url(), auth: { user: 'root', password: 't0p-s3cret' } });
    const created = await admin.http.json<{ key: string }>('POST', '/authkeys', { json: { queues: ['keyed-*'], privs: ['write', 'read'] } });
    const mq = new RestMQ({ url: url(), auth: { apiKey: created.key } });
    const q = `keyed-${qname()}`;
    await mq.push(q, 'k');
    const m = await mq.lease(q, 30);
    assert.ok(m, 'leased with the key');
    await mq.ack(q, m.receipt);
    await rejectsWith(mq.push(qname(), 'x'), 403, 'FORBIDDEN');
    await rejectsWith(mq.purge(q), 403, 'FORBIDDEN');
    await rejectsWith(new RestMQ({ url: url(), auth: { apiKey: 'not-a-key' } }).push(q, 'x'), 401, 'AUTH_REQUIRED');
  });
});

describe('a leased subscription whose reader acks each message never stalls on a full buffer', () => {
  let broker: TestBroker | undefined;
  before(async () => {
    broker = await startTestBroker('memory');
  });
  after(async () => {
    await broker?.close();
  });

  // Regression: the WebSocket was paused past 1,000 buffered messages, which also held back
  // the reply to the ack the reader was awaiting.
  for (const transport of ['ws', 'sse'] as Transport[]) {
    it(`over ${transport}, 1,500 messages`, async () => {
      assert.ok(broker, 'broker started');
      const mq = new RestMQ({ url: broker.url });
      const q = qname();
      await mq.policy(q, 'roundrobin');
      await mq.pushMany(q, Array.from({ length: 1500 }, (_, i) => String(i)));
      const sub = mq.subscribe(q, { transport, lease: 60 });
      const seen = new Set<string>();
      try {
        for (const m of await nextN(sub, 1, 10_000)) await m.ack();
        for (;;) {
          const [m] = await nextN(sub, 1, 10_000);
          assert.ok(m, 'a delivery');
          seen.add(m.value);
          await m.ack();
          if (seen.size === 1499) break;
        }
      } finally {
        sub.close();
      }
      const s = await mq.stats(q);
      assert.equal(s.inflight + s.len, 0, `all acked (${JSON.stringify(s)})`);
    });
  }
});

describe('a connection silent for idleTimeoutMs is replaced (a broker with hour-long heartbeats)', () => {
  let broker: TestBroker | undefined;
  before(async () => {
    broker = await startTestBroker('memory', { flags: { heartbeat: '3600' } });
  });
  after(async () => {
    await broker?.close();
  });

  for (const transport of ['sse', 'ws'] as Transport[]) {
    it(`over ${transport}`, async () => {
      assert.ok(broker, 'broker started');
      const mq = new RestMQ({ url: broker.url });
      const q = qname();
      let dropped: (err: unknown) => void = () => {};
      const drop = new Promise<unknown>((resolve) => (dropped = resolve));
      const sub = mq.subscribe(q, { transport, idleTimeoutMs: 700, backoffMs: 50, onDisconnect: (err) => dropped(err) });
      try {
        let timer: NodeJS.Timeout | undefined;
        const err = await Promise.race([drop, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('never dropped')), 10_000)))]);
        clearTimeout(timer);
        assert.ok(err instanceof RestMQError && err.status === 0, `dropped as dead: ${String(err)}`);
        await mq.push(q, 'still here');
        assert.equal((await nextN(sub, 1))[0]?.value, 'still here');
        assert.ok(sub.connections >= 2, `reconnected (${sub.connections})`);
      } finally {
        sub.close();
      }
    });
  }
});
