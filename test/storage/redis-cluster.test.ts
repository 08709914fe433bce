/**
 * What only the cluster layout has (its conformance run is conformance-redis-cluster.test.ts),
 * on a Redis Cluster started once for this file: queues spread over every primary with all
 * their keys in one slot, the queue index and its repair, two brokers streaming over sharded
 * pub/sub, and the two-step move of a dead letter surviving a crash between its steps.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster } from 'ioredis';
import { registerClusterScripts, type ScriptedCluster } from '../../src/storage/redis/cluster-scripts.js';
import type { ClusterStore } from '../../src/storage/redis/cluster-store.js';
import { copyMove, parseMove } from '../../src/storage/redis/cluster-moves.js';
import { CLUSTER_QUEUE_KEY_NAMES, clusterKeys, clusterQueueKeys } from '../../src/storage/redis/keys.js';
import type { StoreEvent } from '../../src/storage/stream-contract.js';
import { waitUntil } from '../harness/wait.js';
import { openRedisClusterStore } from '../../src/storage/redis/cluster-open.js';
import { queueSlot } from '../../src/storage/redis/cluster-wait.js';
import { isBrokerError } from '../../src/errors.js';
import { privateCluster } from './private-redis-cluster.js';

const { cluster: started, open } = privateCluster();

describe('redis cluster store', { timeout: 300_000 }, () => {
  describe('cluster layout', () => {
    let store: ClusterStore;
    let raw: ScriptedCluster;
    const q = () => `c-${randomUUID()}`;
    /** Every key under `{name}` on each primary (SCAN), by node port. */
    const keysByNode = async (name: string) => {
      const out = new Map<number, string[]>();
      for (const node of await started().primaries()) {
        const client = started().client(node);
        try {
          const found: string[] = [];
          let cursor = '0';
          do {
            const [next, batch] = await client.scan(cursor, 'MATCH', `{${name}}:*`, 'COUNT', 1000);
            cursor = next;
            found.push(...batch);
          } while (cursor !== '0');
          if (found.length > 0) out.set(node.port, found);
        } finally {
          client.disconnect();
        }
      }
      return out;
    };

    before(async () => {
      store = await open();
      raw = new Cluster(started().nodes.map(({ host, port }) => ({ host, port }))) as ScriptedCluster;
      registerClusterScripts(raw);
    });
    after(async () => {
      await store.close();
      await raw.quit();
    });

    it('a streaming dispatch and a write on another node, sent in the same tick, both succeed', async () => {
      // dispatch-n.lua's first argument is its number of keys (the queue keys and this broker's
      // inbox): auto-pipelining must not route the call by that number's slot.
      const counted = String(CLUSTER_QUEUE_KEY_NAMES.length + 1);
      const home = (await started().ownerOf(counted)).port;
      const pick = async (onHome: boolean): Promise<string> => {
        for (;;) {
          const name = q();
          if (((await started().ownerOf(clusterKeys.pending(name))).port === home) === onHome) return name;
        }
      };
      const away = await pick(false);
      const near = await pick(true);
      await store.enqueue(away, ['streamed']);
      const [dispatched, added] = await Promise.all([store.dispatch(away, 1, 0), store.enqueue(near, ['written'])]);
      assert.ok(dispatched, 'the dispatch answered');
      assert.equal(added.length, 1, 'the write in the same tick answered');
      assert.deepEqual((await store.peek(near, 10)).map((m) => m.value), ['written']);
      await store.purge(away);
      await store.purge(near);
    });

    it('every key of a queue is in the slot of {q}; queues spread over all three primaries', async () => {
      const names = Array.from({ length: 12 }, q);
      const owners = new Set<number>();
      for (const name of names) {
        await store.enqueue(name, ['a', 'b', 'c'], { ttlSeconds: 60 });
        await store.enqueue(name, ['later'], { delayMs: 60_000 });
        await store.enqueue(name, ['once'], { dedupId: 'd1' });
        await store.setSettings(name, { maxAttempts: 3 });
        await store.setPolicy(name, 'roundrobin');
        await store.registerConsumers(name, ['c1'], 60_000);
        await store.lease(name, 1, 60_000);
        await store.softGet(name);
        await store.dispatch(name, 1, 0);
        const found = await keysByNode(name);
        assert.equal(found.size, 1, `the keys of ${name} are on one primary: ${JSON.stringify([...found])}`);
        const [port, keys] = [...found][0]!;
        const owner = await started().ownerOf(`{${name}}`);
        assert.equal(port, owner.port, 'on the primary that owns {q}');
        assert.ok(keys.length >= 12, `the queue's keys were found: ${keys.join(' ')}`);
        const slots = new Set(await Promise.all(keys.map((k) => raw.cluster('KEYSLOT', k))));
        assert.deepEqual([...slots], [await raw.cluster('KEYSLOT', `{${name}}`)], 'one slot for every key');
        owners.add(port);
        await store.unregisterConsumers(name, ['c1']);
        await store.ackInbox(1);
      }
      assert.equal(owners.size, 3, 'the test queues live on all three primaries');
      for (const name of names) await store.purge(name);
    });

    it('deleteQueue leaves no key of the queue on any node; another broker\'s next enqueue lists it again', async () => {
      const name = q();
      const other = await open();
      try {
        await other.enqueue(name, ['from the other broker']);
        await store.enqueue(name, ['a', 'b'], { ttlSeconds: 60 });
        await store.enqueue(name, ['later'], { delayMs: 60_000 });
        await store.enqueue(name, ['once'], { dedupId: 'd1' });
        await store.setSettings(name, { maxAttempts: 3 });
        await store.setQueueMeta(name, '{}');
        await store.registerConsumers(name, ['c1'], 60_000);
        await store.lease(name, 1, 60_000);
        await store.dispatch(name, 1, 0);
        assert.ok((await keysByNode(name)).size > 0, 'the queue has keys');
        assert.equal(await store.deleteQueue(name), true);
        assert.deepEqual([...(await keysByNode(name))], [], 'no key of the queue is left (inboxes and dedup ids included)');
        assert.ok(!(await raw.smembers(clusterKeys.queueIndex)).includes(name), 'out of the index');
        // `other` indexed the name before the delete; its next enqueue must index it again.
        assert.deepEqual(await other.enqueue(name, ['again']), [`${name}:1`]);
        assert.ok((await store.listQueues()).includes(name), 'listed again');
        assert.equal(await store.deleteQueue(name), true);
      } finally {
        await other.close();
      }
    });

    it('lists only queues that exist; repairIndex puts a lost entry back and drops a phantom', async () => {
      const [a, b] = [q(), q()];
      await store.enqueue(a, ['x']);
      await store.enqueue(b, ['y']);
      await raw.srem(clusterKeys.queueIndex, a);
      await raw.sadd(clusterKeys.queueIndex, 'phantom-never-written');
      const listed = await store.listQueues();
      assert.ok(!listed.includes(a), 'an entry lost from the index is not listed');
      assert.ok(listed.includes(b), 'an indexed queue is listed');
      assert.ok(!listed.includes('phantom-never-written'), 'a name without a queue is not listed');
      assert.ok((await store.repairIndex()) >= 2, 'the repair finds the queues');
      const repaired = await store.listQueues();
      assert.ok(repaired.includes(a) && repaired.includes(b), 'both listed after the repair');
      assert.equal(await raw.sismember(clusterKeys.queueIndex, 'phantom-never-written'), 0, 'the phantom is dropped');
    });

    it('--redis-wait-replicas: the enqueue is answered once the queue\'s replica has it; too many replicas is an error', async () => {
      for (const name of ['a', 'jobs', 'q-1.dead', q()]) assert.equal(queueSlot(name), await raw.cluster('KEYSLOT', `{${name}}`), name);
      const nodes = started().nodes.map(({ host, port }) => ({ host, port }));
      const waiting = await openRedisClusterStore({ kind: 'redis-cluster', nodes, wait: { replicas: 1, timeoutMs: 5000 } });
      const greedy = await openRedisClusterStore({ kind: 'redis-cluster', nodes, wait: { replicas: 2, timeoutMs: 200 } });
      try {
        const name = q();
        await waiting.enqueue(name, ['kept']);
        const primaries = new Set((await started().primaries()).map((n) => n.port));
        let copies = 0;
        for (const node of started().nodes.filter((n) => !primaries.has(n.port))) {
          const replica = started().client(node);
          try {
            await replica.readonly();
            copies += await replica.llen(clusterKeys.pending(name)).catch(() => 0);
          } finally {
            replica.disconnect();
          }
        }
        assert.equal(copies, 1, 'the replica of the queue\'s primary has the message when the enqueue is answered');
        await assert.rejects(greedy.enqueue(name, ['x']), (err: unknown) => isBrokerError(err) && err.code === 'REPLICATION_TIMEOUT');
        await waiting.purge(name);
      } finally {
        await waiting.close();
        await greedy.close();
      }
    });

    it('restmq repair-index rebuilds the index over the command line', async () => {
      const name = q();
      await store.enqueue(name, ['x']);
      await raw.srem(clusterKeys.queueIndex, name);
      assert.ok(!(await store.listQueues()).includes(name), 'lost from the index');
      const root = new URL('../../', import.meta.url);
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'repair-index', '--store', started().url],
        { cwd: root, timeout: 60_000 });
      assert.match(stdout, /^indexed \d+ queues\n$/);
      assert.ok((await store.listQueues()).includes(name), 'listed again');
      await store.purge(name);
    });

    /** A message of `name` leased and nacked at its last attempt by the script alone: step 0 of
     *  the dead-letter move, then the broker "crashed" (the store never ran steps 1 and 2). */
    const deadLetterStepZero = async (name: string) => {
      await store.setSettings(name, { maxAttempts: 1 });
      const [key] = await store.enqueue(name, ['doomed']);
      const [m] = (await store.lease(name, 1, 60_000)).messages;
      assert.ok(m, 'leased');
      const [n, token] = m.receipt.split('.') as [string, string];
      const r = await raw.nack(...clusterQueueKeys(name), name, clusterKeys.events(name), `${name}.dead`, n, token, '0');
      assert.equal(r, 2, 'the nack shipped the message to the outbox');
      const outbox = await raw.hgetall(clusterKeys.outbox(name));
      assert.deepEqual(Object.keys(outbox), [key], 'one move, named by the message key');
      return { key: key!, record: outbox[key!]! };
    };
    const deadValues = async (name: string) => (await store.peek(`${name}.dead`, 10)).map((m) => m.value);

    it('a dead letter stuck after step 0 (in the outbox) reaches the dead-letter queue once, at the next reap', async () => {
      const name = q();
      await deadLetterStepZero(name);
      assert.deepEqual(await deadValues(name), [], 'not moved yet');
      assert.equal((await store.info([name]))[0]?.length, 0, 'gone from its queue');
      await store.reapLeases();
      assert.deepEqual(await deadValues(name), ['doomed']);
      assert.equal(await raw.exists(clusterKeys.outbox(name)), 0, 'the outbox is empty');
      await store.reapLeases();
      assert.deepEqual(await deadValues(name), ['doomed'], 'a second reap moves nothing');
      await store.purge(`${name}.dead`);
    });

    it('a crash between step 1 (copy) and step 2 (delete) neither loses nor duplicates the dead letter', async () => {
      const name = q();
      const { key, record } = await deadLetterStepZero(name);
      const move = parseMove(record);
      assert.ok(move, 'the outbox record parses');
      assert.equal(move.target, `${name}.dead`);
      await copyMove(raw, key, move); // step 1 only: the broker dies before step 2
      assert.deepEqual(await deadValues(name), ['doomed'], 'copied once');
      assert.equal(await raw.hlen(clusterKeys.outbox(name)), 1, 'still in the outbox');
      await store.reapLeases(); // recovery: any broker's reaper repeats steps 1 and 2
      assert.deepEqual(await deadValues(name), ['doomed'], 'the repeated step 1 appended nothing');
      assert.equal(await raw.exists(clusterKeys.outbox(name)), 0, 'the outbox is empty');
      assert.equal(await store.redrive(`${name}.dead`), 1, 'redrive moves it back to where it died');
      assert.deepEqual((await store.peek(name, 10)).map((m) => m.value), ['doomed']);
      assert.deepEqual(await deadValues(name), []);
      assert.equal((await store.meters([name]))[0]?.deadLettered, 1, 'counted once');
      await store.purge(name);
    });

    it('broadcast across two brokers: the other broker is woken over sharded pub/sub and reads its copy', async () => {
      const name = q();
      const other = await open();
      try {
        const woken: StoreEvent[] = [];
        const off = await other.subscribe((e) => woken.push(e));
        await store.registerConsumers(name, ['a1'], 60_000);
        await other.registerConsumers(name, ['b1'], 60_000);
        const keys = await store.enqueue(name, ['m1', 'm2']);
        const r = await store.dispatch(name, 10, 10);
        assert.equal(r.dispatched, 2);
        assert.deepEqual(r.inbox.map((d) => [d.key, d.copies]), [[keys[0], 2], [keys[1], 2]]);
        await waitUntil('the wake event', async () => woken.some((e) => e.type === 'wake' && e.broker === other.brokerId), 5000);
        assert.deepEqual((await other.readInbox(10)).map((d) => d.key), keys, 'the other broker has its copies');
        await other.ackInbox(2);
        await store.ackInbox(2);
        assert.deepEqual(await other.readInbox(10), []);
        await off();
        await other.unregisterConsumers(name, ['b1']);
        await store.unregisterConsumers(name, ['a1']);
      } finally {
        await other.close();
      }
    });

    it('roundrobin across two brokers, and a dead broker\'s inbox goes back to the queue', async () => {
      const name = q();
      const dying = await open();
      try {
        await store.setPolicy(name, 'roundrobin');
        await store.registerConsumers(name, ['a1'], 60_000);
        await dying.registerConsumers(name, ['b1'], 60_000);
        const keys = await store.enqueue(name, ['1', '2', '3', '4']);
        const r = await store.dispatch(name, 4, 10);
        assert.equal(r.dispatched, 4);
        assert.equal(r.inbox.length, 2, 'half of the messages are this broker\'s');
        const theirs = (await dying.readInbox(10)).map((d) => d.key);
        assert.equal(theirs.length, 2, 'the other half went to the other broker');
        await store.ackInbox(2);
        // The other broker's last heartbeat runs out at once, and it never refreshes (dead).
        await dying.heartbeat(1);
        await waitUntil('the reap', async () => (await store.reap()) > 0 || (await store.info([name]))[0]!.length > 0, 5000);
        assert.deepEqual((await store.peek(name, 10)).map((m) => m.key), theirs, 'its unwritten items are back, in order');
        assert.ok(theirs.every((k) => keys.includes(k)));
        await store.unregisterConsumers(name, ['a1']);
        await store.purge(name);
      } finally {
        await dying.close();
      }
    });

    it('a broker lets go of a queue it no longer streams: no more heartbeats there, its inbox returned', async () => {
      const name = q();
      const broker = await open();
      try {
        await broker.registerConsumers(name, ['c1'], 60_000);
        const [key] = await broker.enqueue(name, ['m']);
        assert.equal((await broker.dispatch(name, 1, 0)).dispatched, 1);
        await broker.heartbeat(60_000);
        assert.notEqual(await raw.zscore(clusterKeys.brokers(name), broker.brokerId), null, 'served while it has a consumer');
        await broker.unregisterConsumers(name, ['c1']);
        await broker.heartbeat(60_000); // its inbox of the queue was not read empty yet: kept
        assert.notEqual(await raw.zscore(clusterKeys.brokers(name), broker.brokerId), null, 'kept while its inbox may hold items');
        assert.deepEqual((await broker.readInbox(10)).map((d) => d.key), [key]);
        await broker.ackInbox(1);
        assert.deepEqual(await broker.readInbox(10), []);
        await broker.heartbeat(60_000);
        assert.equal(await raw.zscore(clusterKeys.brokers(name), broker.brokerId), null, 'let go');
        assert.equal(await raw.exists(clusterKeys.inbox(name, broker.brokerId)), 0);
      } finally {
        await broker.close();
      }
      await store.purge(name);
    });

    it('the stream reaper walks only queues some broker serves; a broker back after a reap is reaped again', async () => {
      const name = q();
      const listed = async () => (await raw.sismember(clusterKeys.streamQueues, name)) === 1;
      const broker = await open();
      try {
        await broker.registerConsumers(name, ['b1'], 60_000);
        assert.ok(await listed(), 'listed while streamed');
        await store.reap();
        assert.ok(await listed(), 'kept while a live broker serves it');
        await raw.srem(clusterKeys.streamQueues, name); // as a failover of the set's slot may
        await broker.heartbeat(60_000);
        assert.ok(await listed(), 'listed again by the next heartbeat of a broker serving it');
        await raw.srem(clusterKeys.streamQueues, name);
        await store.repairIndex();
        assert.ok(await listed(), 'listed again by repair-index');
        // The broker stalls past its heartbeat: reaped (its inbox is empty), the queue dropped.
        await broker.heartbeat(1);
        await waitUntil('the queue dropped by the reaper', async () => (await store.reap(), !(await listed())), 5000);
        assert.equal(await raw.exists(clusterKeys.brokers(name)), 0);
        // It comes back, takes a message into its inbox and dies: the queue is listed again,
        // so the next reap returns the message.
        await broker.registerConsumers(name, ['b1'], 60_000);
        assert.ok(await listed(), 'listed again by the broker that found itself unknown');
        const [key] = await store.enqueue(name, ['m']);
        assert.equal((await broker.dispatch(name, 1, 0)).dispatched, 1);
        await broker.heartbeat(1);
        await waitUntil('the reap', async () => (await store.reap()) > 0, 5000);
        assert.deepEqual((await store.peek(name, 10)).map((m) => m.key), [key], 'the dead broker\'s item is back');
      } finally {
        await broker.close();
      }
      await store.purge(name);
    });

    it('meters read every figure of a queue from its own slot and the dead queue from its slot', async () => {
      const name = q();
      await store.setSettings(name, { maxAttempts: 1 });
      await store.enqueue(name, ['1', '2', '3', '4']);
      await store.enqueue(name, ['later'], { delayMs: 60_000 });
      const [m] = (await store.lease(name, 1, 60_000)).messages;
      await store.nack(name, m!.receipt, 0);
      await store.lease(name, 1, 60_000);
      await store.registerConsumers(name, ['c1'], 60_000);
      await store.setPolicy(name, 'roundrobin');
      const [got] = await store.meters([name]);
      assert.deepEqual({ ...got, oldestAgeMs: typeof got?.oldestAgeMs }, {
        ready: 2, status: 'started', policy: 'roundrobin', inflight: 1, delayed: 1, dead: 1, consumers: 1,
        oldestAgeMs: 'number', deadLettered: 1,
      });
      await store.unregisterConsumers(name, ['c1']);
      await store.purge(name);
      await store.purge(`${name}.dead`);
    });
  });
});
