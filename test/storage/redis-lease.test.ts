/**
 * The Redis store as a LeaseStore (the shared cases run in conformance-redis.test.ts): on a
 * private redis-server, what only Redis has: several stores on one Redis acting as separate
 * brokers (concurrent leases and reapers), and the legacy layout an old RestMQ sharing the
 * Redis still reads (a leased message is simply not in `<q>:queue`; its body stays until ack).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RedisStore } from '../../src/storage/redis/redis-store.js';
import type { LeasedMessage } from '../../src/storage/lease-contract.js';
import { redisClient } from '../harness/redis.js';
import { privateRedis } from './private-redis.js';
import { inflightOf } from './cases/context.js';
import { waitUntil } from '../harness/wait.js';

const q = () => `rl-${randomUUID()}`;
const LONG = 60_000;

describe('redis lease store', () => {
  const { srv, open } = privateRedis();

  describe('redis only', () => {
    const stores: RedisStore[] = [];
    let raw: Redis;
    const brokers = async (n: number) => {
      const out: RedisStore[] = [];
      for (let i = 0; i < n; i++) out.push(await open());
      stores.push(...out);
      return out;
    };
    /** The Redis clock, in ms (leases are timed by it). */
    const redisNow = async () => {
      const [s, us] = await raw.time();
      return Number(s) * 1000 + Math.floor(Number(us) / 1000);
    };
    /** Waits (polling the Redis clock, not sleeping a fixed time) until every lease of `queue` is past due. */
    const allDue = async (queue: string) => {
      const last = await raw.zrange(`restmq:leased:${queue}`, -1, -1, 'WITHSCORES');
      const deadline = Number(last[1] ?? 0);
      await waitUntil(`the leases of ${queue} to end`, async () => (await redisNow()) > deadline, 5000);
    };
    /** Every key of queue `name` (SCAN on our own server). */
    const keysMatching = async (pattern: string) => {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await raw.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        found.push(...batch);
      } while (cursor !== '0');
      return found.sort();
    };

    before(() => {
      raw = redisClient(srv().port);
    });
    after(async () => {
      for (const s of stores) await s.close();
      await raw.quit();
    });

    it('two brokers leasing at once never share a message', async () => {
      const [a, b] = (await brokers(2)) as [RedisStore, RedisStore];
      const queue = q();
      const sent = Array.from({ length: 200 }, (_, i) => `m${i}`);
      await a.enqueue(queue, sent);
      const got: LeasedMessage[] = [];
      await Promise.all(Array.from({ length: 16 }, async (_, w) => {
        const store = w % 2 === 0 ? a : b;
        for (;;) {
          const r = await store.lease(queue, 1 + (w % 4), LONG);
          if (r.messages.length === 0) return;
          got.push(...r.messages);
        }
      }));
      assert.equal(new Set(got.map((m) => m.key)).size, got.length, 'a message was leased twice');
      assert.deepEqual(got.map((m) => m.value).sort(), [...sent].sort());
      assert.deepEqual(await inflightOf(b, [queue]), [200]);
      // Either broker acknowledges a lease the other one handed out.
      const [first] = got;
      assert.equal(await b.ack(queue, first!.receipt), 'ok');
      assert.equal(await a.ack(queue, first!.receipt), 'stale');
      await a.purge(queue);
    });

    it('reapLeases run at once from two brokers never returns a message twice', async () => {
      const [a, b] = (await brokers(2)) as [RedisStore, RedisStore];
      const [q1, q2] = [q(), q()];
      const k1 = await a.enqueue(q1, Array.from({ length: 50 }, (_, i) => `a${i}`));
      const k2 = await a.enqueue(q2, Array.from({ length: 30 }, (_, i) => `b${i}`));
      assert.equal((await a.lease(q1, 50, 100)).messages.length, 50);
      assert.equal((await b.lease(q2, 30, 100)).messages.length, 30);
      await allDue(q1);
      await allDue(q2);
      const results = await Promise.all([
        a.reapLeases(), b.reapLeases(), a.reapLeases([q1, q2]), b.reapLeases([q2, q1]), a.reapLeases([q1]), b.reapLeases(),
      ]);
      assert.equal(results.reduce((n, r) => n + r.returned, 0), 80, 'each expired lease returned exactly once');
      assert.equal(results.reduce((n, r) => n + r.dead, 0), 0);
      assert.deepEqual(await raw.lrange(`${q1}:queue`, 0, -1), [...k1].reverse(), 'each key once, oldest at the tail');
      assert.deepEqual(await raw.lrange(`${q2}:queue`, 0, -1), [...k2].reverse());
      assert.equal(await raw.sismember('restmq:leasedqueues', q1), 0, 'a queue without leases leaves the set');
      await a.purge(q1);
      await a.purge(q2);
    });

    it('an old broker sees a leased message as taken, its body until ack, and gets it back at the tail', async () => {
      const [store] = (await brokers(1)) as [RedisStore];
      const queue = q();
      const [k1, k2, k3] = await store.enqueue(queue, ['one', 'two', 'three']);
      const leased = await store.lease(queue, 2, LONG);
      assert.deepEqual(leased.messages.map((m) => m.key), [k1, k2]);
      assert.deepEqual(await raw.lrange(`${queue}:queue`, 0, -1), [k3], 'leased keys left the pending list');
      assert.equal(await raw.llen(`${queue}:queue`), 1, 'LLEN (the legacy length) counts only pending');
      assert.equal(await raw.get(k1!), 'one', 'the body stays while leased');
      assert.equal(await raw.get(k2!), 'two');
      const [m1, m2] = leased.messages as [LeasedMessage, LeasedMessage];
      assert.match(m1.receipt, /^1\.[0-9a-f]{16}$/, 'receipt <n>.<hex token>');
      assert.equal(await raw.hget(`restmq:lease:${queue}`, k1!), m1.receipt.split('.')[1]);
      assert.equal(await raw.hget(`restmq:attempts:${queue}`, k1!), '1');

      assert.equal(await store.ack(queue, m1.receipt), 'ok');
      assert.equal(await raw.exists(k1!, `${k1}:refcount`), 0, 'no <q>:<n> key remains after ack');
      assert.equal(await raw.zscore(`restmq:leased:${queue}`, k1!), null);
      assert.equal(await raw.hget(`restmq:attempts:${queue}`, k1!), null, 'attempts forgotten');

      // m2's lease ends: it goes back to the tail, where an old broker RPOPs it first.
      assert.equal(await store.extend(queue, m2.receipt, 50), 'ok');
      await allDue(queue);
      assert.deepEqual(await store.reapLeases([queue]), { returned: 1, dead: 0 });
      assert.deepEqual(await raw.lrange(`${queue}:queue`, 0, -1), [k3, k2], 'back at the tail');
      assert.equal(await raw.rpop(`${queue}:queue`), k2, 'an old broker takes it next');
      assert.equal(await raw.get(k2!), 'two');
      assert.deepEqual(await keysMatching('*:lock'), [], 'the old broker\'s transient :lock name is never used');
      await store.purge(queue);
    });

    it('a leased message whose body an old broker deleted (JSON del) is dropped when its lease ends', async () => {
      const [store] = (await brokers(1)) as [RedisStore];
      const queue = q();
      const [k1, k2] = await store.enqueue(queue, ['gone', 'kept']);
      const m = (await store.lease(queue, 1, 100)).messages[0]!;
      assert.equal(m.key, k1);
      await raw.del(k1!);
      await allDue(queue);
      assert.deepEqual(await store.reapLeases([queue]), { returned: 0, dead: 0 });
      assert.deepEqual(await raw.lrange(`${queue}:queue`, 0, -1), [k2], 'never returned without a body');
      assert.equal(await raw.hlen(`restmq:attempts:${queue}`), 0);
      assert.equal(await store.ack(queue, m.receipt), 'stale');
      await store.purge(queue);
    });

    it('an old broker reads dead letters as a normal queue; redrive clears their origin records', async () => {
      const [store] = (await brokers(1)) as [RedisStore];
      const queue = q();
      const dead = `${queue}.dead`;
      await store.setSettings(queue, { maxAttempts: 1 });
      assert.deepEqual(await raw.hgetall(`restmq:settings:${queue}`), { max_attempts: '1' });
      const [k1] = await store.enqueue(queue, ['x'], { ttlSeconds: 1000 });
      const m = (await store.lease(queue, 1, LONG)).messages[0]!;
      assert.equal(await store.nack(queue, m.receipt, 0), 'ok');
      assert.equal(await raw.exists(k1!), 0, 'the old body is gone');
      assert.equal(await raw.hlen(`restmq:attempts:${queue}`), 0);
      assert.deepEqual(await raw.lrange(`${dead}:queue`, 0, -1), [`${dead}:1`]);
      assert.equal(await raw.get(`${dead}:1`), 'x');
      const ttl = await raw.ttl(`${dead}:1`);
      assert.ok(ttl > 900 && ttl <= 1000, `the dead letter keeps the body's ttl, got ${ttl}`);
      assert.equal(await raw.get(`queuestat::${dead}`), '1', 'an old broker streams it');
      assert.equal(await raw.sismember('QUEUESET', dead), 1);
      assert.equal(await raw.hget(`restmq:origin:${dead}`, `${dead}:1`), queue);
      assert.equal(await store.redrive(dead), 1);
      assert.equal(await raw.exists(`restmq:origin:${dead}`, `${dead}:1`), 0);
      assert.deepEqual(await raw.lrange(`${queue}:queue`, 0, -1), [`${queue}:2`], 'a new message of the origin');
      await store.purge(queue);
      await store.purge(dead);
    });

    it('take after a nack forgets the attempts; purge forgets the leases', async () => {
      const [store] = (await brokers(1)) as [RedisStore];
      const queue = q();
      await store.enqueue(queue, ['a', 'b', 'c']);
      const [a] = (await store.lease(queue, 1, LONG)).messages as [LeasedMessage];
      assert.equal(await store.nack(queue, a.receipt, 0), 'ok');
      assert.equal(await raw.hget(`restmq:attempts:${queue}`, a.key), '1', 'kept while pending');
      assert.deepEqual((await store.take(queue, 1)).messages.map((m) => m.key), [a.key]);
      assert.equal(await raw.exists(`restmq:attempts:${queue}`), 0, 'a plain take forgets it');
      const held = (await store.lease(queue, 2, LONG)).messages;
      assert.equal(held.length, 2);
      assert.equal(await raw.sismember('restmq:leasedqueues', queue), 1);
      assert.equal(await store.purge(queue), false, 'nothing was pending');
      assert.equal(await raw.exists(...held.map((m) => m.key)), 0, 'leased bodies deleted');
      assert.equal(await raw.exists(`restmq:leased:${queue}`, `restmq:lease:${queue}`, `restmq:attempts:${queue}`), 0);
      assert.equal(await raw.sismember('restmq:leasedqueues', queue), 0);
      assert.deepEqual(await keysMatching(`${queue}:*`), [`${queue}:UUID`]);
    });

    it('a delayed nack counts as neither pending nor in flight, and the reaper returns it when due', async () => {
      const [store] = (await brokers(1)) as [RedisStore];
      const queue = q();
      const [k1] = await store.enqueue(queue, ['a']);
      const m = (await store.lease(queue, 1, LONG)).messages[0]!;
      assert.equal(await store.nack(queue, m.receipt, 100), 'ok');
      assert.deepEqual(await inflightOf(store, [queue]), [0]);
      assert.equal(await raw.llen(`${queue}:queue`), 0);
      assert.equal(await store.extend(queue, m.receipt, LONG), 'stale');
      await allDue(queue);
      assert.deepEqual(await store.reapLeases([queue]), { returned: 1, dead: 0 });
      assert.deepEqual(await raw.lrange(`${queue}:queue`, 0, -1), [k1]);
      await store.purge(queue);
    });

    it('an ack announces its settlement itself, and only when the queue has a streaming consumer', async () => {
      const [store] = (await brokers(1)) as [RedisStore];
      const queue = q();
      const heard: string[] = [];
      const sub = raw.duplicate();
      await sub.subscribe('restmq:events');
      sub.on('message', (_channel: string, payload: string) => {
        if (payload.startsWith('a ')) heard.push(payload);
      });
      try {
        await store.enqueue(queue, ['nobody', 'somebody']);
        const [first] = (await store.lease(queue, 1, LONG)).messages;
        assert.equal(await store.ack(queue, first!.receipt), 'ok');
        await store.registerConsumers(queue, ['c1'], LONG);
        const [second] = (await store.lease(queue, 1, LONG)).messages;
        assert.equal(await store.ack(queue, second!.receipt), 'ok');
        // A stale receipt settles nothing and announces nothing.
        assert.equal(await store.ack(queue, second!.receipt), 'stale');
        await waitUntil('the announcement', async () => heard.length > 0);
        // Published after the second ack's reply was written: anything the first ack had sent arrived before.
        await raw.publish('restmq:events', 'a end');
        await waitUntil('the end marker', async () => heard.includes('a end'));
        assert.deepEqual(heard, [`a ${second!.receipt} ${queue}`, 'a end']);
      } finally {
        await store.unregisterConsumers(queue, ['c1']);
        await sub.quit();
      }
    });
  });
});
