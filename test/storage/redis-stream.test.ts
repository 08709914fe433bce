/**
 * The Redis store as a StreamStore (the shared cases run in conformance-redis.test.ts): on a
 * private redis-server, what only Redis has: several stores on one Redis acting as separate
 * brokers (broadcast copies, roundrobin across brokers, wake and closed events, the reaper,
 * leave), messages an old RestMQ writes without a notification, and the wire format of the
 * events channel.
 */
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isBrokerError } from '../../src/errors.js';
import type { RedisStore } from '../../src/storage/redis/redis-store.js';
import type { Delivery, StoreEvent } from '../../src/storage/stream-contract.js';
import { redisClient } from '../harness/redis.js';
import { privateRedis } from './private-redis.js';
import { consumersOf } from './cases/context.js';
import { waitUntil } from '../harness/wait.js';

const q = () => `q-${randomUUID()}`;
const ids = (n: number) => Array.from({ length: n }, () => `c-${randomUUID()}`);
const keysOf = (ds: readonly { key: string }[]) => ds.map((d) => d.key);
const seq = (d: Delivery) => Number(d.key.slice(d.key.lastIndexOf(':') + 1));

/** Records a subscription's events; `next` resolves on the first matching one (no polling). */
async function listen(store: RedisStore) {
  const events: StoreEvent[] = [];
  const waiters: { match: (e: StoreEvent) => boolean; resolve: () => void }[] = [];
  const off = await store.subscribe((e) => {
    events.push(e);
    for (const w of [...waiters]) if (w.match(e)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const next = (match: (e: StoreEvent) => boolean, what: string, timeoutMs = 5000): Promise<void> => {
    if (events.some(match)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} event within ${timeoutMs} ms`)), timeoutMs);
      waiters.push({ match, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  };
  /** Publishes a marker and waits for it: events arrive in order, so all before it are in. */
  const settle = async (via: RedisStore = store) => {
    const marker = q();
    await via.publish({ type: 'closed', queue: marker });
    await next((e) => e.type === 'closed' && e.queue === marker, 'marker');
  };
  return { events, next, settle, off };
}

describe('redis stream store', () => {
  const { srv, open } = privateRedis();

  describe('several brokers on one Redis', () => {
    let stores: RedisStore[] = [];
    let raw: Redis;
    const brokers = async (n: number) => {
      const opened = await Promise.all(Array.from({ length: n }, () => open()));
      stores.push(...opened);
      return opened;
    };

    before(() => {
      raw = redisClient(srv().port);
    });
    after(async () => {
      await raw.quit();
    });
    // Every store drains its inbox and leaves; the queues are unique, so nothing else is shared.
    afterEach(async () => {
      for (const s of stores) {
        try {
          while ((await s.readInbox(100)).length > 0) await s.ackInbox(100);
          await s.leave();
        } catch {
          // already closed by the case
        }
        await s.close();
      }
      stores = [];
    });

    it('broadcast puts one copy into each broker inbox that has consumers (copies = 3, then 2)', async () => {
      const [a, b, c] = (await brokers(3)) as [RedisStore, RedisStore, RedisStore];
      const [all, two] = [q(), q()];
      await a.registerConsumers(all, ids(2), 60_000);
      await b.registerConsumers(all, ids(1), 60_000);
      await c.registerConsumers(all, ids(1), 60_000);
      await a.registerConsumers(two, ids(1), 60_000);
      await c.registerConsumers(two, ids(3), 60_000);
      const k1 = await a.enqueue(all, ['x', 'y\nwith\nnewlines']);
      const k2 = await a.enqueue(two, ['z', '']);

      const r = await b.dispatch(all, 10, 10);
      assert.equal(r.dispatched, 2);
      const want3 = [{ queue: all, key: k1[0], value: 'x', copies: 3 }, { queue: all, key: k1[1], value: 'y\nwith\nnewlines', copies: 3 }];
      assert.deepEqual(r.inbox, want3);
      assert.deepEqual(await a.readInbox(10), want3);
      assert.deepEqual(await c.readInbox(10), want3);

      assert.equal((await b.dispatch(two, 10, 10)).dispatched, 2, 'a broker without consumers may dispatch for the others');
      const want2 = [{ queue: two, key: k2[0], value: 'z', copies: 2 }, { queue: two, key: k2[1], value: '', copies: 2 }];
      assert.deepEqual(await a.readInbox(10), [...want3, ...want2]);
      assert.deepEqual(await c.readInbox(10), [...want3, ...want2]);
      assert.deepEqual(await b.readInbox(10), want3, 'no copy for a broker without consumers of the queue');
      assert.deepEqual((await a.info([all, two])).map((i) => i.length), [0, 0]);
    });

    it('roundrobin rotates across consumers on different brokers in strict order', async () => {
      const [a, b, c] = (await brokers(3)) as [RedisStore, RedisStore, RedisStore];
      const queue = q();
      const owner = new Map<string, RedisStore>();
      for (const [s, n] of [[a, 2], [b, 1], [c, 1]] as const) {
        const mine = ids(n);
        for (const id of mine) owner.set(id, s);
        await s.registerConsumers(queue, mine, 60_000);
      }
      await a.setPolicy(queue, 'roundrobin');
      const keys = await c.enqueue(queue, Array.from({ length: 10 }, (_, i) => `m${i}`));
      // Dispatched by different brokers: the cursor is shared.
      assert.equal((await b.dispatch(queue, 3, 0)).dispatched, 3);
      assert.equal((await a.dispatch(queue, 4, 0)).dispatched, 4);
      assert.equal((await c.dispatch(queue, 10, 0)).dispatched, 3);

      const got: Delivery[] = [];
      for (const s of [a, b, c]) {
        const inbox = await s.readInbox(100);
        for (const d of inbox) assert.equal(owner.get(d.consumer ?? ''), s, `${d.key} is in the inbox of its consumer's broker`);
        assert.deepEqual(inbox.map(seq), [...inbox.map(seq)].sort((x, y) => x - y), 'each inbox is FIFO');
        got.push(...inbox);
      }
      got.sort((x, y) => seq(x) - seq(y));
      assert.deepEqual(keysOf(got), keys);
      assert.ok(got.every((d) => d.copies === 1), 'roundrobin items have one copy');
      const order = got.map((d) => d.consumer);
      assert.deepEqual([...new Set(order.slice(0, 4))].sort(), [...owner.keys()].sort(), 'the first turn gives each consumer one');
      order.forEach((x, i) => assert.equal(x, order[i % 4], `message ${i} broke the rotation`));
    });

    it('a wake event reaches the target broker; the caller wakes nobody for itself', async () => {
      const [a, b] = (await brokers(2)) as [RedisStore, RedisStore];
      const queue = q();
      const [la, lb] = [await listen(a), await listen(b)];
      try {
        await b.registerConsumers(queue, ids(1), 60_000);
        const keys = await a.enqueue(queue, ['1', '2']);
        assert.deepEqual(await a.dispatch(queue, 10, 10), { dispatched: 2, inbox: [] });
        await lb.next((e) => e.type === 'wake' && e.broker === b.brokerId, 'wake for b');
        assert.deepEqual(keysOf(await b.readInbox(10)), keys);
        await b.enqueue(queue, ['3']);
        assert.equal((await b.dispatch(queue, 10, 0)).dispatched, 1);
        await la.settle();
        await lb.settle();
        assert.deepEqual(la.events.filter((e) => e.type === 'wake'), [{ type: 'wake', broker: b.brokerId }], 'one wake, for b only');
        assert.equal(lb.events.filter((e) => e.type === 'wake').length, 1, 'b dispatching to itself published no wake');
      } finally {
        await la.off();
        await lb.off();
      }
    });

    it('closed published by one store is received by every store', async () => {
      const all = await brokers(3);
      const subs = await Promise.all(all.map((s) => listen(s)));
      try {
        const queue = q();
        await all[1]!.publish({ type: 'closed', queue });
        for (const sub of subs) await sub.next((e) => e.type === 'closed' && e.queue === queue, 'closed');
      } finally {
        for (const sub of subs) await sub.off();
      }
    });

    it('reap returns a dead broker\'s unacked items to the queue front in FIFO order; copies > 1 are dropped', async () => {
      const [dead, live] = (await brokers(2)) as [RedisStore, RedisStore];
      const [rr, solo, shared] = [q(), q(), q()];
      await dead.setPolicy(rr, 'roundrobin');
      await dead.registerConsumers(rr, ids(2), 60_000);
      await dead.registerConsumers(solo, ids(1), 60_000);
      await dead.registerConsumers(shared, ids(1), 60_000);
      await live.registerConsumers(shared, ids(1), 60_000);
      const kr = await live.enqueue(rr, ['r1', 'r2', 'r3', 'r4']);
      const ks = await live.enqueue(solo, ['s1', 's2', 's3']);
      const kh = await live.enqueue(shared, ['h1', 'h2']);
      await live.dispatch(rr, 3, 0);
      await dead.dispatch(solo, 2, 0);
      await live.dispatch(shared, 10, 0);
      await live.dispatch(rr, 10, 0);
      const inbox = await dead.readInbox(100);
      assert.deepEqual(inbox.map((d) => `${d.value}/${d.copies}`), ['r1/1', 'r2/1', 'r3/1', 's1/1', 's2/1', 'h1/2', 'h2/2', 'r4/1']);
      await dead.ackInbox(1); // r1 was written
      await live.enqueue(rr, ['r5']);

      const sub = await listen(live);
      try {
        await live.heartbeat(60_000);
        await dead.heartbeat(50); // then it stops: no more heartbeats
        let returned = 0;
        await waitUntil('the dead broker to be reaped', async () => (returned += await live.reap()) > 0, 5000);
        assert.equal(returned, 5, 'r2, r3, r4, s1, s2');
        assert.deepEqual((await live.take(rr, 10)).messages.map((m) => m.value), ['r2', 'r3', 'r4', 'r5']);
        assert.deepEqual((await live.take(rr, 10)).messages, []);
        assert.deepEqual(await live.peek(solo, 10), ks.map((key, i) => ({ key, value: `s${i + 1}` })));
        assert.deepEqual(keysOf(await live.peek(shared, 10)), [], 'the shared copies were dropped');
        assert.deepEqual(keysOf(await live.readInbox(10)), kh, 'the live broker keeps its own copies');
        assert.equal(kr.length, 4);
        await sub.next((e) => e.type === 'enqueued' && e.queue === rr, 'enqueued rr');
        await sub.next((e) => e.type === 'enqueued' && e.queue === solo, 'enqueued solo');
      } finally {
        await sub.off();
      }
      assert.equal(await raw.exists(`restmq:inbox:${dead.brokerId}`), 0, 'the dead inbox is gone');
      assert.equal(await raw.zscore('restmq:brokers', dead.brokerId), null, 'the dead broker is forgotten');
      assert.equal(await live.reap(), 0, 'nothing twice');
      // Its registrations outlive it (60 s), but nothing is dispatched to a broker that is gone.
      assert.deepEqual(await live.dispatch(solo, 10, 0), { dispatched: 0, inbox: [] });
      assert.equal((await live.info([solo]))[0]?.length, 3);
      assert.equal(await raw.zcard(`restmq:consumers:${solo}`), 0, 'the dispatch dropped them');
    });

    it('a broker whose heartbeat is alive is not reaped', async () => {
      const [a, b] = (await brokers(2)) as [RedisStore, RedisStore];
      const queue = q();
      await a.registerConsumers(queue, ids(1), 60_000);
      await a.heartbeat(60_000);
      await a.enqueue(queue, ['x']);
      await a.dispatch(queue, 10, 0);
      assert.equal(await b.reap(), 0);
      assert.equal((await a.readInbox(10)).length, 1);
    });

    it('a broker reaped while alive never acknowledges items it did not read', async () => {
      const [stalled, other] = (await brokers(2)) as [RedisStore, RedisStore];
      const queue = q();
      const [id] = ids(1) as [string];
      await stalled.registerConsumers(queue, [id], 60_000);
      const [k1, k2] = await other.enqueue(queue, ['m1', 'm2']);
      assert.deepEqual(keysOf((await stalled.dispatch(queue, 10, 10)).inbox), [k1, k2]); // read, being written...
      await stalled.heartbeat(50); // ...and the broker stalls past its heartbeat
      let returned = 0;
      await waitUntil('the stalled broker to be reaped', async () => (returned += await other.reap()) > 0, 5000);
      assert.equal(returned, 2);
      assert.deepEqual(keysOf((await other.take(queue, 10)).messages), [k1, k2], 'back in the queue: at least once');
      // It wakes up, heartbeats and registers again; a new message lands in its new inbox.
      await stalled.heartbeat(60_000);
      await stalled.registerConsumers(queue, [id], 60_000);
      const [k3] = await other.enqueue(queue, ['m3']);
      assert.equal((await other.dispatch(queue, 10, 0)).dispatched, 1);
      await stalled.ackInbox(2); // the ack of the stale read must not trim m3
      assert.deepEqual(keysOf(await stalled.readInbox(10)), [k3]);
      await stalled.ackInbox(1);
      assert.deepEqual(await stalled.readInbox(10), [], 'a fresh read is acknowledged as usual');
    });

    it('leave returns this broker\'s own unacked items and forgets it', async () => {
      const [a, b] = (await brokers(2)) as [RedisStore, RedisStore];
      const [rr, shared] = [q(), q()];
      await a.setPolicy(rr, 'roundrobin');
      await a.registerConsumers(rr, ids(2), 60_000);
      await a.registerConsumers(shared, ids(1), 60_000);
      await b.registerConsumers(shared, ids(1), 60_000);
      await a.heartbeat(60_000);
      const kr = await a.enqueue(rr, ['1', '2', '3', '4']);
      await a.enqueue(shared, ['s']);
      await a.dispatch(rr, 3, 0);
      await a.dispatch(shared, 1, 0);
      await a.ackInbox(1);
      await a.leave();
      assert.deepEqual(await a.readInbox(10), []);
      assert.deepEqual(keysOf(await a.peek(rr, 10)), kr.slice(1));
      assert.equal((await a.info([shared]))[0]?.length, 0, 'b has its copy: a\'s is dropped');
      assert.equal(await raw.zscore('restmq:brokers', a.brokerId), null);
    });

    it('a message an old RestMQ LPUSHes by hand (no notification) is dispatched by the next dispatch', async () => {
      const [a] = (await brokers(1)) as [RedisStore];
      const queue = q();
      const sub = await listen(a);
      try {
        await a.registerConsumers(queue, ids(1), 60_000);
        const n = await raw.incr(`${queue}:UUID`);
        await raw.set(`${queue}:${n}`, 'legacy');
        await raw.sadd('QUEUESET', queue);
        await raw.set(`queuestat::${queue}`, '1');
        await raw.lpush(`${queue}:queue`, `${queue}:${n}`);
        await sub.settle();
        assert.deepEqual(sub.events.filter((e) => e.type === 'enqueued'), [], 'an old broker sends no notification');
        const r = await a.dispatch(queue, 10, 10); // what the safety poll does
        assert.deepEqual(r, { dispatched: 1, inbox: [{ queue, key: `${queue}:1`, value: 'legacy', copies: 1 }] });
        assert.equal(await raw.exists(`${queue}:1`), 0, 'the body left with the message');
      } finally {
        await sub.off();
      }
    });

    it('enqueue and requeue publish "e <q>" only when the queue has a live consumer', async () => {
      const [a, b] = (await brokers(2)) as [RedisStore, RedisStore];
      const [idle, busy, expired, gone] = [q(), q(), q(), q()];
      const wire: string[] = [];
      const rawSub = redisClient(srv().port);
      try {
        rawSub.on('message', (_channel: string, payload: string) => wire.push(payload));
        await rawSub.subscribe('restmq:events');
        const sub = await listen(a);
        try {
          await b.registerConsumers(busy, ids(1), 60_000);
          await b.registerConsumers(expired, ids(1), 1);
          const left = ids(1);
          await b.registerConsumers(gone, left, 60_000);
          await b.unregisterConsumers(gone, left);
          await waitUntil('the registration to expire', async () => (await consumersOf(a, [expired]))[0] === 0, 5000);
          for (const queue of [idle, busy, expired, gone]) await a.enqueue(queue, ['x', 'y']);
          const { inbox } = await b.dispatch(busy, 10, 10);
          await b.ackInbox(2);
          await b.requeue(busy, inbox);
          await a.requeue(idle, [{ key: `${idle}:9`, value: 'back' }]);
          await sub.settle();
          assert.deepEqual(sub.events.filter((e) => e.type === 'enqueued'), [
            { type: 'enqueued', queue: busy }, { type: 'enqueued', queue: busy },
          ]);
          assert.deepEqual(wire.filter((p) => !p.startsWith('c ')), [`e ${busy}`, `e ${busy}`],
            'compact payloads; b dispatched into its own inbox, so no wake');
          assert.equal((await a.info([idle]))[0]?.length, 2, 'a key the queue never issued is not requeued');
          await a.publish({ type: 'started', queue: busy });
          await a.publish({ type: 'wake', broker: b.brokerId });
          await sub.settle();
          assert.deepEqual(wire.filter((p) => !p.startsWith('c ')).slice(-2), [`s ${busy}`, `w ${b.brokerId}`]);
        } finally {
          await sub.off();
        }
      } finally {
        await rawSub.quit();
      }
    });

    it('requeue does not duplicate a message that is still in the queue', async () => {
      const [a] = (await brokers(1)) as [RedisStore];
      const queue = q();
      const keys = await a.enqueue(queue, ['a', 'b']);
      await a.requeue(queue, [{ key: keys[1]!, value: 'b' }, { key: 'QUEUESET', value: 'not a key of this queue' }]);
      assert.deepEqual(keysOf(await a.peek(queue, 10)), keys);
      assert.equal(await raw.type('QUEUESET'), 'set', 'a foreign key is never written');
    });

    it('dispatch moves a batch longer than one LPUSH chunk in FIFO order', async () => {
      const [a] = (await brokers(1)) as [RedisStore];
      const queue = q();
      await a.registerConsumers(queue, ids(1), 60_000);
      const values = Array.from({ length: 2500 }, (_, i) => `v${i}`);
      const keys = await a.enqueue(queue, values);
      assert.equal((await a.dispatch(queue, 2500, 0)).dispatched, 2500);
      const inbox = await a.readInbox(2500);
      assert.deepEqual(keysOf(inbox), keys);
      assert.deepEqual(inbox.map((d) => d.value), values);
    });

    it('brokers on another database of the same Redis get their own events channel', async () => {
      const [a] = (await brokers(1)) as [RedisStore];
      const other = await open(3);
      stores.push(other);
      const [la, lo] = [await listen(a), await listen(other)];
      try {
        const queue = q();
        await other.publish({ type: 'closed', queue });
        await lo.next((e) => e.type === 'closed' && e.queue === queue, 'closed on db 3');
        await la.settle();
        assert.ok(!la.events.some((e) => e.type === 'closed' && e.queue === queue), 'db 0 saw an event of db 3');
      } finally {
        await la.off();
        await lo.off();
      }
    });

    it('a closed store refuses stream calls with STORE_UNAVAILABLE', async () => {
      const [a] = (await brokers(1)) as [RedisStore];
      const off = await a.subscribe(() => {});
      await off();
      await a.close();
      const calls = [
        () => a.dispatch('q', 1, 1), () => a.registerConsumers('q', ['c'], 1), () => a.readInbox(1), () => a.reap(),
        () => a.publish({ type: 'closed', queue: 'q' }), () => a.subscribe(() => {}),
      ];
      for (const call of calls) await assert.rejects(call(), (e: unknown) => isBrokerError(e) && e.code === 'STORE_UNAVAILABLE');
    });
  });
});
