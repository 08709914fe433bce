/**
 * SqsStore (sqs-contract.ts) on every backend: message metadata is written with the message,
 * removed by every step that removes the message, carried by dead-lettering and redrive; and
 * on Redis no `<key>:sqs` (on a Redis Cluster no `{q}:sqsmeta` field) is left behind.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { openRedisStore } from '../../src/storage/redis/redis-store.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import type { QueueStore } from '../../src/storage/contract.js';
import type { LeaseStore } from '../../src/storage/lease-contract.js';
import type { SqsStore } from '../../src/storage/sqs-contract.js';
import type { Delivery, ReturnedMessage, StreamStore } from '../../src/storage/stream-contract.js';
import { clusterKeys, keys } from '../../src/storage/redis/keys.js';
import { redisClient, startRedis, type RedisServer } from '../harness/redis.js';
import { privateCluster } from './private-redis-cluster.js';
import { waitUntil } from '../harness/wait.js';

type Store = QueueStore & LeaseStore & SqsStore & StreamStore;
const q = () => `sm-${randomUUID()}`;

/** An inbox item handed back as the distributor does (core/distributor.ts returnable). */
const handedBack = (d: Delivery): ReturnedMessage => ({
  key: d.key, value: d.value, ...(d.expiresAt === undefined ? {} : { expiresAt: d.expiresAt }), ...(d.meta === undefined ? {} : { meta: d.meta }),
});

function suite(name: string, open: () => Promise<Store> | Store, leftovers?: (queue: string) => Promise<string[]>): void {
  describe(`SQS metadata: ${name}`, () => {
    let s: Store;
    before(async () => {
      s = await open();
    });
    after(async () => {
      await s.close();
    });

    it('is written with the message and read back by key; plain messages have none', async () => {
      const queue = q();
      const k1 = await s.enqueueWithMeta(queue, 'a', '{"id":"1"}');
      const [k2] = await s.enqueue(queue, ['b']);
      assert.deepEqual(await s.messageMeta(queue, [k1, k2!, `${queue}:99`]), ['{"id":"1"}', null, null]);
    });

    it('a dedup hit writes nothing and returns the first key', async () => {
      const queue = q();
      const k1 = await s.enqueueWithMeta(queue, 'a', 'm1', { dedupId: 'd' });
      const k2 = await s.enqueueWithMeta(queue, 'a', 'm2', { dedupId: 'd' });
      assert.equal(k2, k1);
      assert.deepEqual(await s.messageMeta(queue, [k1]), ['m1']);
    });

    it('goes with the message: take, ack, remove, purge', async () => {
      const queue = q();
      const taken = await s.enqueueWithMeta(queue, 'taken', 'm');
      const acked = await s.enqueueWithMeta(queue, 'acked', 'm');
      const removed = await s.enqueueWithMeta(queue, 'removed', 'm');
      const purged = await s.enqueueWithMeta(queue, 'purged', 'm');
      assert.equal((await s.take(queue, 1)).messages[0]!.key, taken);
      const lease = await s.lease(queue, 1, 60_000);
      assert.equal(lease.messages[0]!.key, acked);
      assert.equal(await s.ack(queue, lease.messages[0]!.receipt), 'ok');
      assert.equal(await s.remove(queue, removed), true);
      assert.deepEqual(await s.messageMeta(queue, [taken, acked, removed, purged]), [null, null, null, 'm']);
      await s.purge(queue);
      assert.deepEqual(await s.messageMeta(queue, [purged]), [null]);
      if (leftovers) assert.deepEqual(await leftovers(queue), []);
    });

    it('is replaced only for messages that still have some, keeping the expiry', async () => {
      const queue = q();
      const kept = await s.enqueueWithMeta(queue, 'kept', 'm1', { ttlSeconds: 1 });
      const gone = await s.enqueueWithMeta(queue, 'gone', 'm2');
      const [plain] = await s.enqueue(queue, ['plain']);
      await s.remove(queue, gone);
      await s.updateMessageMeta(queue, [[kept, 'm1+'], [gone, 'm2+'], [plain!, 'p+'], [`${queue}x:1`, 'other']]);
      assert.deepEqual(await s.messageMeta(queue, [kept, gone, plain!]), ['m1+', null, null]);
      await waitUntil('the message expired', async () => (await s.peek(queue, 5)).length === 1);
      assert.deepEqual((await s.take(queue, 5)).messages.map((m) => m.value), ['plain']);
      assert.deepEqual(await s.messageMeta(queue, [kept]), [null]);
      if (leftovers) assert.deepEqual(await leftovers(queue), []);
    });

    it('goes when the message expires', async () => {
      const queue = q();
      const key = await s.enqueueWithMeta(queue, 'short-lived', 'm', { ttlSeconds: 1 });
      assert.deepEqual(await s.messageMeta(queue, [key]), ['m']);
      await waitUntil('the message expired', async () => (await s.peek(queue, 1)).length === 0);
      // The take that meets the expired message drops what is left of it.
      assert.deepEqual((await s.take(queue, 1)).messages, []);
      assert.deepEqual(await s.messageMeta(queue, [key]), [null]);
      if (leftovers) assert.deepEqual(await leftovers(queue), []);
    });

    it('travels to the dead-letter queue and back with redrive', async () => {
      const queue = q();
      // Multi-byte text and line breaks in both: the cluster's move record carries them side by side.
      const meta = '{"a":"é☃"}\n2';
      const body = 'poi\nson ☃';
      await s.setSettings(queue, { maxAttempts: 1 });
      await s.enqueueWithMeta(queue, body, meta);
      await s.enqueue(queue, ['plain']);
      const lease = await s.lease(queue, 2, 60_000);
      for (const m of lease.messages) assert.equal(await s.nack(queue, m.receipt, 0), 'ok');
      const dead = await s.peek(`${queue}.dead`, 10);
      assert.deepEqual(dead.map((m) => m.value), [body, 'plain']);
      assert.deepEqual(await s.messageMeta(`${queue}.dead`, dead.map((m) => m.key)), [meta, null]);
      assert.equal(await s.redrive(`${queue}.dead`), 2);
      const back = await s.peek(queue, 10);
      assert.deepEqual(back.map((m) => m.value), [body, 'plain']);
      assert.deepEqual(await s.messageMeta(queue, back.map((m) => m.key)), [meta, null]);
      await s.purge(queue);
      if (leftovers) assert.deepEqual([...await leftovers(queue), ...await leftovers(`${queue}.dead`)], []);
    });

    it('rides in the inbox: gone when written, back with a requeue, with its expiry', async () => {
      const queue = q();
      const consumer = `c-${randomUUID()}`;
      await s.registerConsumers(queue, [consumer], 60_000);
      try {
        const written = await s.enqueueWithMeta(queue, 'written', 'm1');
        const back = await s.enqueueWithMeta(queue, 'back', 'm2', { ttlSeconds: 1 });
        const r = await s.dispatch(queue, 10, 10);
        assert.deepEqual(r.inbox.map((d) => [d.key, d.meta]), [[written, 'm1'], [back, 'm2']]);
        await s.ackInbox(r.inbox.length);
        await s.requeue(queue, r.inbox.filter((d) => d.key === back).map(handedBack));
        assert.deepEqual(await s.messageMeta(queue, [written, back]), [null, 'm2']);
        if (leftovers) assert.equal((await leftovers(queue)).length, 1, 'only the requeued message has metadata');
        await waitUntil('the requeued message expired', async () => (await s.peek(queue, 1)).length === 0);
        assert.deepEqual((await s.take(queue, 1)).messages, []);
        assert.deepEqual(await s.messageMeta(queue, [back]), [null]);
        if (leftovers) assert.deepEqual(await leftovers(queue), [], 'the metadata expired with the message');
      } finally {
        await s.unregisterConsumers(queue, [consumer]);
      }
    });

    if (leftovers) {
      it('rides in a dead broker\'s inbox and comes back with the reaper, nothing left after', async () => {
        const queue = q();
        const consumer = `c-${randomUUID()}`;
        const dying = await open();
        let key: string;
        try {
          await dying.registerConsumers(queue, [consumer], 60_000);
          key = await dying.enqueueWithMeta(queue, 'reaped', 'm', { ttlSeconds: 60 });
          assert.deepEqual((await dying.dispatch(queue, 1, 1)).inbox.map((d) => d.meta), ['m']);
          assert.deepEqual(await leftovers(queue), []);
          await dying.heartbeat(1);
        } finally {
          await dying.close();
        }
        await waitUntil('the reaper returned the inbox', async () => {
          await s.reap();
          return (await s.peek(queue, 1)).length === 1;
        });
        const [m] = (await s.lease(queue, 1, 60_000)).messages;
        assert.equal(m?.key, key);
        assert.deepEqual(await s.messageMeta(queue, [key]), ['m']);
        assert.equal((await leftovers(queue)).length, 1);
        assert.equal(await s.ack(queue, m!.receipt), 'ok');
        assert.deepEqual(await leftovers(queue), []);
      });
    }

    it('queue records and registration', async () => {
      const queue = q();
      assert.equal(await s.getQueueMeta(queue), null);
      await s.setQueueMeta(queue, '{"x":1}');
      assert.equal(await s.getQueueMeta(queue), '{"x":1}');
      await s.registerQueue(queue);
      assert.ok((await s.listQueues()).includes(queue));
      await s.unregisterQueue(queue);
      assert.ok(!(await s.listQueues()).includes(queue));
      await s.setQueueMeta(queue, null);
      assert.equal(await s.getQueueMeta(queue), null);
    });
  });
}

suite('sqlite', () => openSqliteStore({ path: ':memory:' }));

let server: RedisServer | undefined;
before(async () => {
  server = await startRedis();
});
after(async () => {
  await server?.stop();
});
suite('redis', () => openRedisStore({ host: server!.host, port: server!.port, db: 0 }), async (queue) => {
  const raw = redisClient(server!.port);
  try {
    return await raw.keys(keys.meta(`${queue}:*`));
  } finally {
    raw.disconnect();
  }
});

const cluster = privateCluster();
suite('redis-cluster', cluster.open, async (queue) => {
  const raw = new Cluster(cluster.cluster().nodes.map(({ host, port }) => ({ host, port })));
  try {
    return (await raw.hkeys(clusterKeys.sqsMeta(queue))).map((n) => `${queue}:${n}`);
  } finally {
    raw.disconnect();
  }
});
