/**
 * The Redis store on a Sentinel-managed primary, through what Sentinels are for:
 * --redis-wait-replicas (a write no replica confirmed is REPLICATION_TIMEOUT, never a silent
 * success) and SENTINEL FAILOVER (the store, its subscriber and its scripts follow the new
 * primary; a message confirmed by WAIT before the failover is still there after it).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config/load.js';
import { isBrokerError } from '../../src/errors.js';
import { openStore } from '../../src/storage/open.js';
import type { StoreEvent } from '../../src/storage/stream-contract.js';
import { startRedisSentinel, type RedisSentinel } from '../harness/redis-sentinel.js';
import { waitUntil } from './conformance.js';

type Store = Awaited<ReturnType<typeof openStore>>;
const q = () => `q-${randomUUID()}`;

describe('redis store through Sentinels: replicated writes and failover', () => {
  let setup: RedisSentinel;
  const stores: Store[] = [];
  const open = async (flags: Record<string, string> = {}) => {
    const store = await openStore(loadConfig({ store: setup.url, ...flags }, {}).store);
    stores.push(store);
    return store;
  };
  before(async () => {
    setup = await startRedisSentinel({ password: 'pw' });
  });
  after(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await setup?.stop();
  });

  it('--redis-wait-replicas 1: confirmed while the replica answers; REPLICATION_TIMEOUT while it is stopped', async () => {
    const waiting = await open({ 'redis-wait-replicas': '1', 'redis-wait-timeout': '300' });
    const plain = await open();
    const queue = q();
    assert.equal((await waiting.enqueue(queue, ['a', 'b'])).length, 2);
    const replica = await setup.replica();
    await setup.kill(replica, 'SIGSTOP');
    try {
      await assert.rejects(waiting.enqueue(queue, ['c']), (err: unknown) => {
        assert.ok(isBrokerError(err), String(err));
        assert.equal(err.code, 'REPLICATION_TIMEOUT');
        assert.equal(err.status, 503);
        assert.match(err.message, /may or may not be stored/);
        assert.match(err.message, /dedup/);
        return true;
      });
      // Without the setting the same write is answered at once: the wait comes from the flag.
      assert.equal((await plain.enqueue(queue, ['d'])).length, 1);
    } finally {
      setup.resume(replica);
    }
    // The refused write did happen on the primary: "may or may not be stored" is the truth.
    assert.deepEqual((await plain.peek(queue, 10)).map((m) => m.value), ['a', 'b', 'c', 'd']);
    await waitUntil(async () => (await waiting.enqueue(queue, ['e']).then(() => true, () => false)), 15_000, 'the replica to confirm again');
  });

  it('follows SENTINEL FAILOVER: writes, reads, events and scripts on the new primary', async () => {
    const store = await open({ 'redis-wait-replicas': '1', 'redis-wait-timeout': '2000' });
    const queue = q();
    await store.enqueue(queue, ['before']);
    const events: StoreEvent[] = [];
    await store.subscribe((e) => events.push(e));

    const { from, to } = await setup.failover();
    assert.notEqual(from.port, to.port);
    // The new primary never ran our scripts on this socket's server; drop its cache anyway,
    // so EVALSHA gets NOSCRIPT and ioredis must send the script again.
    const direct = setup.client(to);
    await direct.call('SCRIPT', 'FLUSH');
    direct.disconnect();
    await waitUntil(async () => (await store.enqueue(queue, ['after']).then(() => true, () => false)), 10_000, 'an enqueue to succeed on the new primary');

    assert.deepEqual((await store.take(queue, 10)).messages.map((m) => m.value), ['before', 'after'], 'nothing confirmed before the failover is lost');
    const other = q();
    await store.publish({ type: 'started', queue: other });
    await waitUntil(async () => events.some((e) => e.type === 'started' && e.queue === other), 10_000, 'the subscriber to see an event published on the new primary');
    const info = String(await setup.client(to).info('replication'));
    assert.match(info, /role:master/);
  });
});
