/** The conformance suite on a SQLite file (one file for every case: reopening reaches the same data). */
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { runStoreConformance } from './conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'restmq-conformance-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'store.db');

runStoreConformance({
  name: 'sqlite (file)',
  open: async () => openSqliteStore({ path: file }),
  skip: [{
    reason: 'one broker process owns a SQLite file, so a second store on the same file is refused (test/storage/sqlite.test.ts)',
    tests: ['two store instances on one backend share messages exactly once'],
  }, {
    reason: 'one broker process owns a SQLite file: no other broker reports consumers there',
    tests: ['another store instance on the backend reads the reports of this one\'s consumers'],
  }],
});
