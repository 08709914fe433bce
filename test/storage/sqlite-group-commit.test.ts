/**
 * Group commit in the SQLite store (group-commit.ts): the operations of one event-loop turn
 * share one commit (seen from outside as the WAL file's growth: every commit appends at least
 * one page frame), each is answered only after it, and one failing operation fails alone.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { tempFiles } from './sqlite-files.js';

const { freshFile } = tempFiles('restmq-sqlite-group-test-');
const N = 100;
const walBytes = (path: string) => statSync(`${path}-wal`).size;

for (const synchronous of ['NORMAL', 'FULL'] as const) {
  describe(`SQLite group commit (synchronous ${synchronous})`, () => {
    it('enqueues of one turn share one commit; awaited one by one, each has its own', async () => {
      const path = freshFile();
      const store = openSqliteStore({ path, synchronous });
      try {
        const page = 4096;
        await store.enqueue('warm', ['x']); // schema pages written once, before measuring
        const start = walBytes(path);
        const together = await Promise.all(Array.from({ length: N }, (_, i) => store.enqueue('q', [`t${i}`])));
        assert.deepEqual(together.flat(), Array.from({ length: N }, (_, i) => `q:${i + 1}`), 'keys in arrival order');
        const grouped = walBytes(path) - start;
        assert.ok(grouped < 10 * page, `one commit for ${N} enqueues of one turn: WAL grew ${grouped} bytes`);
        const before = walBytes(path);
        for (let i = 0; i < N; i++) await store.enqueue('q', [`s${i}`]);
        const single = walBytes(path) - before;
        assert.ok(single >= N * page, `a commit per awaited enqueue: WAL grew ${single} bytes`);
        assert.equal((await store.info(['q']))[0]!.length, 2 * N);
      } finally {
        await store.close();
      }
    });

    it('an answer comes after its commit: the WAL has grown when the promise settles', async () => {
      const path = freshFile();
      const store = openSqliteStore({ path, synchronous });
      try {
        await store.enqueue('warm', ['x']);
        const before = walBytes(path);
        const grown = await store.enqueue('q', ['v']).then(() => walBytes(path) - before);
        assert.ok(grown > 0, 'the commit was written before the enqueue was answered');
      } finally {
        await store.close();
      }
    });

    it('a failing operation fails alone: the others of its turn commit, its counter bump is rolled back', async () => {
      const path = freshFile();
      let store = openSqliteStore({ path, synchronous });
      const results = await Promise.allSettled([
        store.enqueue('q', ['a']),
        store.enqueue('q', [{ not: 'a string' } as unknown as string]), // the insert fails after the counter bump
        store.take('q', 1),
        store.enqueue('q', ['c']),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      assert.deepEqual((results[0] as PromiseFulfilledResult<string[]>).value, ['q:1']);
      assert.deepEqual((results[2] as PromiseFulfilledResult<unknown>).value, { stopped: false, expired: 0, messages: [{ key: 'q:1', value: 'a' }] });
      assert.deepEqual((results[3] as PromiseFulfilledResult<string[]>).value, ['q:2'], 'no gap: the failed bump was rolled back');
      await store.close();
      store = openSqliteStore({ path, synchronous });
      try {
        assert.deepEqual(await store.peek('q', 10), [{ key: 'q:2', value: 'c' }], 'the group was committed');
      } finally {
        await store.close();
      }
    });

    it('close commits what is waiting before it closes', async () => {
      const path = freshFile();
      let store = openSqliteStore({ path, synchronous });
      const pending = store.enqueue('q', ['last']);
      await store.close();
      assert.deepEqual(await pending, ['q:1']);
      store = openSqliteStore({ path, synchronous });
      try {
        assert.deepEqual(await store.peek('q', 10), [{ key: 'q:1', value: 'last' }]);
      } finally {
        await store.close();
      }
    });
  });
}
