/**
 * The SQLite store (the shared cases run in conformance-sqlite/-memory.test.ts): what only
 * SQLite has: one broker process per file (checked with real child processes), durability
 * across close/reopen and a killed process, and the schema version.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { SCHEMA_VERSION } from '../../src/storage/sqlite/schema.js';
import { BrokerError } from '../../src/errors.js';
import { storeChild, tempFiles } from './sqlite-files.js';
import type { Child } from '../harness/child.js';

const { dir, freshFile } = tempFiles('restmq-sqlite-test-');
const IN_USE = 'is in use by another broker process';

/** 'probe' opens, reports and exits; 'hold' enqueues two messages, prints their keys and `ready`,
 *  and waits to be killed. */
const child = (path: string, mode: 'probe' | 'hold'): Child => storeChild(path, mode === 'probe'
  ? "await store.close(); console.log('opened');"
  : "console.log(JSON.stringify(await store.enqueue('held', ['one', 'two']))); console.log('ready'); setInterval(() => {}, 60000);");

describe('SQLite store: one broker process per file', () => {
  it('a second process refuses to open a held file, and opens it after close()', async () => {
    const path = freshFile();
    const store = openSqliteStore({ path });
    assert.equal(store.kind, 'sqlite');
    const refused = child(path, 'probe');
    const r = await refused.exited;
    assert.notEqual(r.code, 0, `the second process opened the file: ${refused.stdout()}`);
    assert.match(refused.stderr(), /STORE_UNAVAILABLE: the SQLite file .* is in use by another broker process/);
    assert.ok(refused.stderr().includes(path), 'the message names the file');

    await store.close();
    const allowed = child(path, 'probe');
    assert.deepEqual(await allowed.exited, { code: 0, signal: null }, allowed.stderr());
    assert.equal(allowed.stdout().trim(), 'opened');
  });

  it('a second store in this process is refused too, with the same message', async () => {
    const path = freshFile();
    const store = openSqliteStore({ path });
    try {
      assert.throws(() => openSqliteStore({ path }), (e: unknown) =>
        e instanceof BrokerError && e.code === 'STORE_UNAVAILABLE' && e.message.includes(IN_USE));
      await store.ping(); // the failed attempt did not disturb the owner
    } finally {
      await store.close();
    }
  });

  it('a killed owner releases the file and loses no message it returned a key for', async () => {
    const path = freshFile();
    const owner = child(path, 'hold');
    try {
      await owner.waitForLine((l) => l === 'ready', 30_000);
      assert.throws(() => openSqliteStore({ path }), (e: unknown) => e instanceof BrokerError && e.message.includes(IN_USE));
    } finally {
      owner.process.kill('SIGKILL');
    }
    assert.equal((await owner.exited).signal, 'SIGKILL');
    const keys = JSON.parse(owner.stdout().split('\n')[0]!) as string[];
    assert.deepEqual(keys, ['held:1', 'held:2']);
    const store = openSqliteStore({ path });
    try {
      assert.deepEqual(await store.peek('held', 10), [{ key: 'held:1', value: 'one' }, { key: 'held:2', value: 'two' }]);
    } finally {
      await store.close();
    }
  });
});

describe('SQLite store: durability and schema', () => {
  it('messages, refcounts, policy, status, registration and the counter survive close/reopen', async () => {
    const path = freshFile();
    let store = openSqliteStore({ path, synchronous: 'FULL' });
    await store.enqueue('gone', ['a', 'b', 'c']);
    assert.equal(await store.purge('gone'), true);
    await store.enqueue('kept', ['x', 'y'], { ttlSeconds: 3600 });
    assert.equal((await store.softGet('kept'))?.count, 1);
    await store.setPolicy('kept', 'roundrobin');
    await store.setStatus('kept', 'stopped');
    await store.close();

    store = openSqliteStore({ path });
    try {
      assert.deepEqual(await store.listQueues(), ['gone', 'kept']);
      assert.deepEqual(await store.info(['kept', 'gone']), [
        { name: 'kept', length: 2, status: 'stopped', policy: 'roundrobin' },
        { name: 'gone', length: 0, status: 'started', policy: null },
      ]);
      assert.deepEqual(await store.softGet('kept'), { key: 'kept:1', value: 'x', count: 2 });
      assert.deepEqual(await store.enqueue('gone', ['d']), ['gone:4'], 'the counter outlives purge and reopen');
      assert.deepEqual(await store.enqueue('kept', ['z']), ['kept:3']);
    } finally {
      await store.close();
    }
  });

  it('sets the schema version and WAL mode on the file, and refuses a newer schema', async () => {
    const path = freshFile();
    await openSqliteStore({ path }).close();
    const raw = new Database(path);
    try {
      assert.ok(SCHEMA_VERSION >= 1);
      assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      const tables = raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
      assert.deepEqual(tables, ['authkeys', 'dedup', 'inbox', 'messages', 'presque_counters', 'presque_uniq', 'presque_worker_queues', 'presque_workers', 'queues', 'sqs_queues']);
      raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    } finally {
      raw.close();
    }
    assert.throws(() => openSqliteStore({ path }), (e: unknown) =>
      e instanceof BrokerError && e.code === 'STORE_UNAVAILABLE' && /newer/.test(e.message));
  });

  it('an unopenable path is STORE_UNAVAILABLE; a closed store rejects with it', async () => {
    assert.throws(() => openSqliteStore({ path: join(dir, 'no-such-dir', 'x.db') }), (e: unknown) =>
      e instanceof BrokerError && e.code === 'STORE_UNAVAILABLE');
    const store = openSqliteStore({ path: freshFile() });
    await store.close();
    await store.close();
    await assert.rejects(store.ping(), (e: unknown) => e instanceof BrokerError && e.code === 'STORE_UNAVAILABLE');
    await assert.rejects(store.enqueue('q', ['v']), (e: unknown) => e instanceof BrokerError && e.code === 'STORE_UNAVAILABLE');
  });

  it(':memory: is kind memory and starts empty each time', async () => {
    const a = openSqliteStore({ path: ':memory:' });
    await a.enqueue('m', ['1']);
    await a.close();
    const b = openSqliteStore({ path: ':memory:' });
    try {
      assert.equal(b.kind, 'memory');
      assert.deepEqual(await b.listQueues(), []);
    } finally {
      await b.close();
    }
  });
});
