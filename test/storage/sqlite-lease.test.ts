/**
 * The SQLite store as a LeaseStore (the shared cases run in conformance-*.test.ts): what only
 * SQLite has: a lease stored in the file survives close/reopen, the
 * stream dispatch skips leased rows, and schema migration 3 upgrades a version-2 file.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { inflightOf } from './cases/context.js';
import { waitUntil } from '../harness/wait.js';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { SCHEMA_VERSION } from '../../src/storage/sqlite/schema.js';
import { rollBackSchema, tempFiles } from './sqlite-files.js';

const { freshFile } = tempFiles('restmq-sqlite-lease-test-');

describe('SQLite lease store: SQLite specifics', () => {
  it('a leased, unacked message survives close and reopen and comes back when its lease ends', async () => {
    const path = freshFile();
    let store = openSqliteStore({ path });
    const [ka] = await store.enqueue('q', ['a', 'b']);
    const leased = (await store.lease('q', 1, 500)).messages[0]!;
    assert.equal(leased.key, ka);
    await store.close();

    store = openSqliteStore({ path });
    try {
      assert.deepEqual(await inflightOf(store, ['q']), [1], 'the lease is in the file');
      assert.deepEqual((await store.peek('q', 5)).map((m) => m.value), ['b'], 'still hidden after reopen');
      let returned = 0;
      await waitUntil('the lease to end', async () => (returned += (await store.reapLeases()).returned) >= 1, 5000);
      assert.equal(await store.ack('q', leased.receipt), 'stale');
      const again = await store.lease('q', 2, 60_000);
      assert.deepEqual(again.messages.map((m) => [m.key, m.value, m.attempts]), [[ka, 'a', 2], ['q:2', 'b', 1]]);
    } finally {
      await store.close();
    }
  });

  it('dispatch to streaming consumers skips leased and nack-delayed messages', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    try {
      await store.enqueue('q', ['a', 'b', 'c', 'd']);
      const [a, b] = (await store.lease('q', 2, 60_000)).messages;
      assert.equal(await store.nack('q', b!.receipt, 60_000), 'ok');
      await store.registerConsumers('q', ['c1'], 60_000);
      const r = await store.dispatch('q', 10, 10);
      assert.deepEqual(r.inbox.map((d) => d.value), ['c', 'd']);
      assert.equal(await store.ack('q', a!.receipt), 'ok');
    } finally {
      await store.close();
    }
  });

  it('migration 3 adds the lease columns to a version-2 file and keeps its messages', async () => {
    const path = freshFile();
    const s = openSqliteStore({ path });
    await s.enqueue('old', ['kept', 'too']);
    await s.close();
    rollBackSchema(path, 2);
    const store = openSqliteStore({ path });
    try {
      assert.ok(SCHEMA_VERSION >= 3, 'migration 3 exists');
      const r = await store.lease('old', 1, 60_000);
      assert.deepEqual(r.messages.map((m) => [m.key, m.value, m.attempts]), [['old:1', 'kept', 1]]);
      assert.deepEqual((await store.take('old', 5)).messages.map((m) => m.value), ['too']);
      assert.equal(await store.ack('old', r.messages[0]!.receipt), 'ok');
    } finally {
      await store.close();
    }
    const check = new Database(path);
    try {
      assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
    } finally {
      check.close();
    }
  });
});
