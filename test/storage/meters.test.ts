/**
 * MeterStore (meter-contract.ts) on both backends: the overview's counts in one read, the age
 * of the oldest ready message, and dead letters counted on every path that makes one (nack at
 * the last attempt, the reaper, a lease reaping its own queue). On Redis also the enqueue
 * clock: sampled at most once a second, trimmed behind the head.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRedisStore } from '../../src/storage/redis/redis-store.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { keys } from '../../src/storage/redis/keys.js';
import type { QueueStore } from '../../src/storage/contract.js';
import type { LeaseStore } from '../../src/storage/lease-contract.js';
import type { MeterStore, QueueMeters } from '../../src/storage/meter-contract.js';
import { redisClient, startRedis, type RedisServer } from '../harness/redis.js';
import { waitUntil } from './conformance.js';

type Store = QueueStore & LeaseStore & MeterStore;

const q = () => `m-${randomUUID()}`;
const one = async (store: Store, queue: string): Promise<QueueMeters> => (await store.meters([queue]))[0]!;

function meterSuite(name: string, open: () => Promise<Store>): void {
  describe(`${name}: meters`, () => {
    let store: Store;
    before(async () => {
      store = await open();
    });
    after(async () => store.close());

    it('reads counts, status and policy of many queues in the order asked', async () => {
      const [a, b, none] = [q(), q(), q()];
      await store.enqueue(a, ['1', '2', '3']);
      await store.enqueue(b, ['x'], { delayMs: 60_000 });
      await store.setStatus(b, 'stopped');
      await store.setPolicy(b, 'roundrobin');
      await store.lease(a, 1, 60_000);
      const [ma, mb, mn] = await store.meters([a, b, none]);
      assert.deepEqual({ ...ma, oldestAgeMs: null }, { ready: 2, status: 'started', policy: null, inflight: 1, delayed: 0, dead: 0, consumers: 0, oldestAgeMs: null, deadLettered: 0 });
      assert.deepEqual(mb, { ready: 0, status: 'stopped', policy: 'roundrobin', inflight: 0, delayed: 1, dead: 0, consumers: 0, oldestAgeMs: null, deadLettered: 0 });
      assert.deepEqual(mn, { ready: 0, status: null, policy: null, inflight: 0, delayed: 0, dead: 0, consumers: 0, oldestAgeMs: null, deadLettered: 0 });
      assert.deepEqual(await store.meters([]), []);
    });

    it('dates the oldest ready message; none once nothing is ready', async () => {
      const queue = q();
      const before = Date.now();
      await store.enqueue(queue, ['a', 'b']);
      const age = (await one(store, queue)).oldestAgeMs;
      assert.ok(age !== null && age >= 0 && age <= Date.now() - before + 1000, `age ${String(age)} ms`);
      await store.take(queue, 2);
      assert.equal((await one(store, queue)).oldestAgeMs, null, 'empty: no age');
      await store.enqueue(queue, ['c']);
      const m = (await store.lease(queue, 1, 60_000)).messages[0]!;
      assert.equal((await one(store, queue)).oldestAgeMs, null, 'leased is not ready');
      assert.equal(await store.nack(queue, m.receipt, 0), 'ok');
      assert.notEqual((await one(store, queue)).oldestAgeMs, null, 'back from a lease: dated again');
    });

    it('counts dead letters from a nack, the reaper and a lease reaping its own queue', async () => {
      const queue = q();
      await store.setSettings(queue, { maxAttempts: 1 });
      await store.enqueue(queue, ['by-nack', 'by-reaper', 'by-lease']);
      const [m] = (await store.lease(queue, 1, 60_000)).messages;
      assert.equal(await store.nack(queue, m!.receipt, 0), 'ok');
      assert.equal((await one(store, queue)).deadLettered, 1, 'nack at the last attempt');
      await store.lease(queue, 1, 1);
      await waitUntil(async () => (await store.reapLeases([queue])).dead === 1, 5000, 'the reaper to dead-letter');
      assert.equal((await one(store, queue)).deadLettered, 2, 'the reaper');
      await store.lease(queue, 1, 1);
      // The next lease settles the expired one itself before taking (nothing else is left).
      await waitUntil(async () => {
        await store.lease(queue, 1, 60_000);
        return (await one(store, queue)).deadLettered === 3;
      }, 5000, 'a lease to reap its own queue');
      const mine = await one(store, queue);
      assert.equal(mine.dead, 3, 'all three in <q>.dead');
      assert.equal((await one(store, `${queue}.dead`)).deadLettered, 0, 'counted for the queue they died in');
    });
  });
}

let server: RedisServer | undefined;
const dirs: string[] = [];

describe('MeterStore', () => {
  before(async () => {
    server = await startRedis();
  });
  after(async () => {
    await server?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  meterSuite('sqlite', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'restmq-meters-'));
    dirs.push(dir);
    return openSqliteStore({ path: join(dir, 'm.db') });
  });
  meterSuite('redis', async () => {
    assert.ok(server, 'redis-server started');
    return openRedisStore({ host: server.host, port: server.port, db: 0 });
  });

  describe('redis: the enqueue clock', () => {
    it('samples at most once a second, whatever the enqueue rate', async () => {
      assert.ok(server, 'redis-server started');
      const store = await openRedisStore({ host: server.host, port: server.port, db: 0 });
      const raw = redisClient(server.port);
      try {
        const queue = q();
        const t0 = Date.now();
        for (let i = 0; i < 200; i++) await store.enqueue(queue, [`v${i}`]);
        const seconds = Math.ceil((Date.now() - t0) / 1000);
        const samples = await raw.zcard(keys.clock(queue));
        assert.ok(samples >= 1 && samples <= seconds + 1, `${samples} samples for 200 enqueues in ${seconds} s`);
        assert.deepEqual(await raw.zrange(keys.clock(queue), 0, 0, 'WITHSCORES').then((r) => r[1]), '1', 'the first message is dated');
      } finally {
        raw.disconnect();
        await store.close();
      }
    });

    it('trims dates behind the one that dates the head', async () => {
      assert.ok(server, 'redis-server started');
      const store = await openRedisStore({ host: server.host, port: server.port, db: 0 });
      const raw = redisClient(server.port);
      try {
        const queue = q();
        await store.enqueue(queue, ['old']);
        await store.take(queue, 1);
        // The next sample is taken only a second after the last: wait that second out.
        await new Promise((r) => setTimeout(r, 1100));
        await store.enqueue(queue, ['new']);
        assert.deepEqual(await raw.zrange(keys.clock(queue), 0, -1, 'WITHSCORES').then((r) => r.filter((_, i) => i % 2 === 1)), ['2'],
          'only the date of message 2 (the head) is kept');
        const age = (await store.meters([queue]))[0]!.oldestAgeMs;
        assert.ok(age !== null && age < 1000, `the head's own date: ${String(age)} ms`);
      } finally {
        raw.disconnect();
        await store.close();
      }
    });
  });
});
