/**
 * The SQLite store as a StreamStore (the shared cases run in conformance-*.test.ts): what only
 * SQLite has: the inbox recovered at open after a killed process
 * (a real child process, SIGKILL), schema migration 2, and requeue's guards.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { SCHEMA_VERSION } from '../../src/storage/sqlite/schema.js';
import { BrokerError } from '../../src/errors.js';
import { rollBackSchema, storeChild, tempFiles } from './sqlite-files.js';
import type { Child } from '../harness/child.js';
import type { StoreEvent } from '../../src/storage/stream-contract.js';

const { freshFile } = tempFiles('restmq-sqlite-stream-test-');

/** A child process that dispatches without acknowledging, prints `ready` and waits to be killed. */
const dispatchingChild = (path: string): Child => storeChild(path, `
  await store.enqueue('crash', ['one', 'two', 'three']);
  await store.setPolicy('crash-rr', 'roundrobin');
  await store.enqueue('crash-rr', ['r1', 'r2']);
  await store.registerConsumers('crash', ['c1'], 60000);
  await store.registerConsumers('crash-rr', ['c1', 'c2'], 60000);
  await store.dispatch('crash', 2, 0);
  console.log(JSON.stringify((await store.dispatch('crash-rr', 10, 10)).inbox));
  console.log('ready');
  setInterval(() => {}, 60000);`);

describe('SQLite stream store: crash recovery', () => {
  it('a killed broker\'s dispatched, unacknowledged messages return to their queues at the next open', async () => {
    const path = freshFile();
    const c = dispatchingChild(path);
    try {
      await c.waitForLine((l) => l === 'ready', 30_000);
    } finally {
      c.process.kill('SIGKILL');
    }
    assert.equal((await c.exited).signal, 'SIGKILL');
    const inbox = c.stdout().split('\n')[0]!;
    assert.deepEqual(JSON.parse(inbox).map((d: { key: string }) => d.key), ['crash:1', 'crash:2', 'crash-rr:1', 'crash-rr:2'],
      'the child had dispatched before it was killed');

    const store = openSqliteStore({ path });
    try {
      assert.deepEqual(await store.readInbox(10), []);
      assert.deepEqual((await store.take('crash', 10)).messages, [
        { key: 'crash:1', value: 'one' }, { key: 'crash:2', value: 'two' }, { key: 'crash:3', value: 'three' },
      ]);
      assert.deepEqual((await store.take('crash-rr', 10)).messages, [
        { key: 'crash-rr:1', value: 'r1' }, { key: 'crash-rr:2', value: 'r2' },
      ]);
    } finally {
      await store.close();
    }
  });
});

describe('SQLite stream store: SQLite specifics', () => {
  it('migration 2 adds the inbox to a version-1 file and keeps its messages', async () => {
    const path = freshFile();
    const s = openSqliteStore({ path });
    await s.enqueue('old', ['kept']);
    await s.close();
    rollBackSchema(path, 1); // no inbox, none of migration 3's lease columns, no migration 4 dedup
    const store = openSqliteStore({ path });
    try {
      assert.ok(SCHEMA_VERSION >= 2, 'migration 2 exists');
      await store.registerConsumers('old', ['c'], 60_000);
      const r = await store.dispatch('old', 10, 10);
      assert.deepEqual(r.inbox.map((d) => d.key), ['old:1']);
    } finally {
      await store.close();
    }
    const check = new Database(path);
    try {
      assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.deepEqual(check.prepare('SELECT queue, seq, value, consumer, copies FROM inbox').all(),
        [{ queue: 'old', seq: 1, value: 'kept', consumer: null, copies: 1 }], 'the unacked item is stored in the file');
    } finally {
      check.close();
    }
  });

  it('requeue ignores a message still in the queue and a key the queue never issued', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    try {
      await store.enqueue('q', ['a', 'b']);
      await store.requeue('q', [
        { key: 'q:2', value: 'duplicate' }, { key: 'q:9', value: 'never issued' },
        { key: 'other:1', value: 'wrong queue' }, { key: 'q:x', value: 'not a key' },
      ]);
      assert.deepEqual(await store.peek('q', 10), [{ key: 'q:1', value: 'a' }, { key: 'q:2', value: 'b' }]);
      assert.deepEqual(await store.enqueue('q', ['c']), ['q:3'], 'no collision with later keys');
    } finally {
      await store.close();
    }
  });

  it('publishes enqueued only for queues with a registered consumer, and after requeue', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    const events: StoreEvent[] = [];
    let marker: () => void = () => {};
    const off = await store.subscribe((e) => {
      events.push(e);
      if (e.type === 'wake') marker();
    });
    const published = () => new Promise<void>((resolve) => {
      marker = resolve;
      void store.publish({ type: 'wake', broker: store.brokerId });
    });
    try {
      await store.enqueue('idle', ['x']); // nobody streams 'idle'
      await store.registerConsumers('busy', ['c'], 60_000);
      await store.enqueue('busy', ['y']);
      await published(); // events arrive in order: everything before the marker is in
      assert.deepEqual(events.filter((e) => e.type === 'enqueued'), [{ type: 'enqueued', queue: 'busy' }]);
      const { inbox } = await store.dispatch('busy', 10, 10);
      await store.ackInbox(1);
      await store.requeue('busy', inbox);
      await published();
      assert.deepEqual(events.filter((e) => e.type === 'enqueued').length, 2, 'requeue announces the message again');
    } finally {
      await off();
      await store.close();
    }
  });

  it('one broker per file: a new id per open, nothing to reap, and a closed store refuses', async () => {
    const a = openSqliteStore({ path: ':memory:' });
    const b = openSqliteStore({ path: ':memory:' });
    assert.notEqual(a.brokerId, b.brokerId);
    await b.close();
    await a.heartbeat(10);
    assert.equal(await a.reap(), 0);
    await a.leave();
    await a.close();
    for (const p of [a.dispatch('q', 1, 1), a.registerConsumers('q', ['c'], 1), a.publish({ type: 'closed', queue: 'q' }), a.subscribe(() => {})]) {
      await assert.rejects(p, (e: unknown) => e instanceof BrokerError && e.code === 'STORE_UNAVAILABLE');
    }
  });
});
