/**
 * The Redis store (the shared cases run in conformance-redis.test.ts): Redis-only checks on a
 * private redis-server that an original RestMQ broker sharing the same Redis reads what we write and vice versa.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isBrokerError } from '../../src/errors.js';
import { openRedisStore, type RedisStore } from '../../src/storage/redis/redis-store.js';
import { freePort, redisClient, startRedis } from '../harness/redis.js';
import { privateRedis } from './private-redis.js';
import { keys, LAZY_LAYOUT, LEASE_LAYOUT } from '../../src/storage/redis/keys.js';
import { luaDir, resolveIncludes } from '../../src/storage/redis/scripts.js';


describe('redis store', () => {
  const { srv } = privateRedis();

  describe('legacy layout interop', () => {
    let store: RedisStore;
    let raw: Redis;
    const q = () => `q-${randomUUID()}`;
    /** Every key of queue `name` (SCAN on our own server). */
    const keysOfQueue = async (name: string) => {
      const found: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await raw.scan(cursor, 'MATCH', `${name}:*`, 'COUNT', 1000);
        cursor = next;
        found.push(...batch);
      } while (cursor !== '0');
      return found.sort();
    };

    before(async () => {
      store = await openRedisStore({ host: srv().host, port: srv().port, db: 0 });
      raw = redisClient(srv().port);
    });
    after(async () => {
      await store.close();
      await raw.quit();
    });

    it('deleteQueue leaves no key that names the queue, and no entry in the shared sets', async () => {
      const name = q();
      await store.enqueue(name, ['a', 'b', 'c'], { ttlSeconds: 60 });
      await store.enqueue(name, ['later'], { delayMs: 60_000 });
      await store.enqueue(name, ['once'], { dedupId: 'd1' });
      await store.enqueueWithMeta(name, 'sqs', '{}');
      await store.setSettings(name, { maxAttempts: 3 });
      await store.setPolicy(name, 'roundrobin');
      await store.setQueueMeta(name, '{}');
      await store.registerConsumers(name, ['c1'], 60_000);
      await store.lease(name, 1, 60_000);
      await store.softGet(name);
      const named = async () => {
        const found: string[] = [];
        let cursor = '0';
        do {
          const [next, batch] = await raw.scan(cursor, 'MATCH', `*${name}*`, 'COUNT', 1000);
          cursor = next;
          found.push(...batch);
        } while (cursor !== '0');
        return found.sort();
      };
      assert.ok((await named()).length >= 10, 'the queue has keys of every kind');
      assert.equal(await store.deleteQueue(name), true);
      assert.deepEqual(await named(), [], 'no key names the queue');
      assert.equal(await raw.sismember(keys.queueset, name), 0);
      assert.equal(await raw.sismember(keys.leasedQueues, name), 0);
      assert.equal(await raw.hexists(keys.deadLettered, name), 0);
    });

    it('reads messages written by an original broker, FIFO', async () => {
      const name = q();
      // queue_add exactly as core.RedisOperations does it (A.5.2), value by value
      for (const v of ['one', 'two', 'three']) {
        const n = await raw.incr(`${name}:UUID`);
        await raw.set(`${name}:${n}`, v);
        if (n === 1) {
          await raw.sadd('QUEUESET', name);
          await raw.set(`queuestat::${name}`, '1');
        }
        await raw.lpush(`${name}:queue`, `${name}:${n}`);
      }
      const r = await store.take(name, 10);
      assert.deepEqual(r.messages, [
        { key: `${name}:1`, value: 'one' }, { key: `${name}:2`, value: 'two' }, { key: `${name}:3`, value: 'three' },
      ]);
      assert.ok((await store.listQueues()).includes(name), 'the legacy queue is listed');
      assert.deepEqual(await store.enqueue(name, ['four']), [`${name}:4`], 'our keys continue the old counter');
    });

    it('writes the exact keys an original broker reads', async () => {
      const name = q();
      assert.deepEqual(await store.enqueue(name, ['a']), [`${name}:1`], 'one value (enqueuelean-6.lua)');
      assert.deepEqual(await store.enqueue(name, ['b']), [`${name}:2`]);
      assert.equal(await raw.get(`${name}:UUID`), '2');
      assert.equal(await raw.get(`${name}:1`), 'a');
      assert.equal(await raw.get(`${name}:2`), 'b');
      assert.deepEqual(await raw.lrange(`${name}:queue`, 0, -1), [`${name}:2`, `${name}:1`], 'newest at the head');
      assert.equal(await raw.rpop(`${name}:queue`), `${name}:1`, 'an old broker RPOPs the oldest');
      assert.equal(await raw.sismember('QUEUESET', name), 1);
      assert.equal(await raw.get(`queuestat::${name}`), '1');
      assert.equal(await raw.ttl(`${name}:1`), -1, 'no ttl unless asked');
      await store.enqueue(name, ['c'], { ttlSeconds: 100 });
      const ttl = await raw.ttl(`${name}:3`);
      assert.ok(ttl > 90 && ttl <= 100, `EXPIRE on the body, got ${ttl}`);
    });

    it('never restarts a queue an old broker stopped ("0"), and a "0" stops take', async () => {
      const name = q();
      await raw.set(`queuestat::${name}`, '0');
      await store.enqueue(name, ['x']);
      assert.equal(await raw.get(`queuestat::${name}`), '0');
      assert.deepEqual(await store.take(name, 1), { stopped: true, expired: 0, messages: [] });
      await raw.set(`queuestat::${name}`, '1');
      assert.equal((await store.take(name, 1)).messages[0]?.value, 'x');
    });

    it('registers a queue whose counter another tool created (R27: SADD on every add)', async () => {
      const name = q();
      await raw.set(`${name}:UUID`, '123456789012345'); // past 1e14, where Lua's tostring goes exponential
      assert.deepEqual(await store.enqueue(name, ['x']), [`${name}:123456789012346`]);
      assert.ok((await store.listQueues()).includes(name), 'SADD QUEUESET although n > 1');
      assert.equal(await raw.get(`queuestat::${name}`), '1');
      assert.equal((await store.take(name, 1)).messages[0]?.key, `${name}:123456789012346`);
    });

    it('registers again a queue another broker deleted, though this one registered it before', async () => {
      const name = q();
      const other = await openRedisStore({ host: srv().host, port: srv().port, db: 0 });
      try {
        assert.deepEqual(await store.enqueue(name, ['a']), [`${name}:1`]);
        assert.equal(await other.deleteQueue(name), true);
        assert.equal(await raw.sismember('QUEUESET', name), 0);
        assert.deepEqual(await store.enqueue(name, ['b']), [`${name}:1`], 'the counter starts again');
        assert.equal(await raw.sismember('QUEUESET', name), 1);
        assert.equal(await raw.get(`queuestat::${name}`), '1');
      } finally {
        await other.close();
      }
    });

    it('registers again a queue it unregistered, and one it deleted while an enqueue was under way', async () => {
      const name = q();
      await store.enqueue(name, ['a']);
      await store.unregisterQueue(name);
      await store.enqueue(name, ['b']);
      assert.equal(await raw.sismember('QUEUESET', name), 1);
      const racing = store.enqueue(name, ['c']);
      await store.deleteQueue(name);
      await racing;
      await store.enqueue(name, ['d']);
      assert.equal(await raw.sismember('QUEUESET', name), 1);
      assert.equal(await raw.get(`queuestat::${name}`), '1');
    });

    it('the lazy layout reads as the JSON layout, seeded fields and decoded ones alike', async () => {
      const lib = resolveIncludes('-- #include lazy_layout\n', `${luaDir()}lib/`);
      const lua = `${lib}
local L = lazy_layout(ARGV[1])
local J = cjson.decode(ARGV[2])
return cjson.encode({L.delayed, L.leasedqueues, L.refcount, L.meta, L.counter, L.dead, L.queueset,
  J.delayed, J.leasedqueues, J.refcount, J.meta, J.counter, J.dead, J.queueset})`;
      const got = JSON.parse(String(await raw.eval(lua, 0, LAZY_LAYOUT, LEASE_LAYOUT))) as unknown[];
      assert.equal(got.length, 14);
      assert.deepEqual(got.slice(0, 7), got.slice(7));
      assert.deepEqual(got[0], ['restmq:delayed:', '']);
    });

    it('reads the legacy policy codes', async () => {
      const name = q();
      await raw.set(`${name}:queuepolicy`, '2');
      assert.equal(await store.getPolicy(name), 'roundrobin');
      await raw.set(`${name}:queuepolicy`, '1');
      assert.equal(await store.getPolicy(name), 'broadcast');
      await store.setPolicy(name, 'roundrobin');
      assert.equal(await raw.get(`${name}:queuepolicy`), '2');
      await store.setStatus(name, 'stopped');
      assert.equal(await raw.get(`queuestat::${name}`), '0');
    });

    it('leaves no orphan keys after take, softGet, remove and purge', async () => {
      const name = q();
      await store.enqueue(name, ['a', 'b', 'c', 'd', 'e']);
      await store.softGet(name);
      assert.ok((await keysOfQueue(name)).includes(`${name}:1:refcount`), 'softGet writes the legacy refcount key');
      await store.take(name, 1);
      await store.remove(name, `${name}:3`);
      assert.deepEqual(await keysOfQueue(name), [`${name}:2`, `${name}:4`, `${name}:5`, `${name}:UUID`, `${name}:queue`]);
      await store.softGet(name);
      assert.equal(await store.purge(name), true);
      assert.deepEqual(await keysOfQueue(name), [`${name}:UUID`]);
    });

    it('purges a list longer than one chunk', async () => {
      const name = q();
      const values = Array.from({ length: 1234 }, (_, i) => `v${i}`);
      await store.enqueue(name, values);
      assert.equal(await store.purge(name), true);
      assert.deepEqual(await keysOfQueue(name), [`${name}:UUID`]);
    });

    it('drops a key whose body an old broker deleted (JSON del), without returning null', async () => {
      const name = q();
      const [k1, k2] = await store.enqueue(name, ['a', 'b']);
      await raw.del(k1!);
      assert.deepEqual(await store.peek(name, 5), [{ key: k2, value: 'b' }]);
      assert.deepEqual(await store.take(name, 5), { stopped: false, expired: 1, messages: [{ key: k2!, value: 'b' }] });
      assert.deepEqual(await keysOfQueue(name), [`${name}:UUID`]);
    });

    it('uses the configured database', async () => {
      const name = q();
      const other = await openRedisStore({ host: srv().host, port: srv().port, db: 3 });
      const raw3 = redisClient(srv().port, 3);
      try {
        await other.enqueue(name, ['x']);
        assert.equal(await raw3.get(`${name}:1`), 'x');
        assert.equal(await raw.exists(`${name}:1`), 0);
        await other.purge(name);
      } finally {
        await other.close();
        await raw3.quit();
      }
    });
  });

  describe('failures', () => {
    it('an unreachable Redis rejects quickly with STORE_UNAVAILABLE, without the password', async () => {
      const port = await freePort();
      const started = Date.now();
      await assert.rejects(openRedisStore({ host: '127.0.0.1', port, db: 0, password: 's3cr3t-pw' }), (err: unknown) => {
        assert.ok(isBrokerError(err) && err.code === 'STORE_UNAVAILABLE', `unexpected error ${String(err)}`);
        // The one message that names the address: a start that cannot reach Redis (README, Safe defaults).
        assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
        assert.ok(!err.message.includes('s3cr3t-pw'), 'the password leaked into the message');
        return true;
      });
      assert.ok(Date.now() - started < 4000, 'fails fast');
    });

    it('a Redis that goes away turns commands into STORE_UNAVAILABLE', async () => {
      const own = await startRedis();
      const store = await openRedisStore({ host: own.host, port: own.port, db: 0 });
      try {
        await store.ping();
        await own.stop();
        await assert.rejects(store.take(`q-${randomUUID()}`, 1), (err: unknown) => isBrokerError(err) && err.code === 'STORE_UNAVAILABLE');
        await assert.rejects(store.ping(), (err: unknown) => isBrokerError(err) && err.code === 'STORE_UNAVAILABLE');
      } finally {
        await store.close();
        await own.stop();
      }
    });

    it('a closed store rejects with STORE_UNAVAILABLE', async () => {
      const store = await openRedisStore({ host: srv().host, port: srv().port, db: 0 });
      await store.close();
      await assert.rejects(store.ping(), (err: unknown) => isBrokerError(err) && err.code === 'STORE_UNAVAILABLE');
    });
  });
});
