/**
 * Helpers of the SQLite-only tests: temp files removed after the file's tests, a real child
 * process that owns a store file (for locking and kill -9 cases), and a schema rolled back to
 * an old version (for migration cases).
 */
import { after } from 'node:test';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { spawnChild, type Child } from '../harness/child.js';

/** A temp directory removed after the file's tests; `freshFile()` names a new file in it. */
export function tempFiles(prefix: string): { dir: string; freshFile: () => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, freshFile: () => join(dir, `${randomUUID()}.db`) };
}

const STORE_MODULE = new URL('../../src/storage/sqlite/sqlite-store.ts', import.meta.url).href;

/**
 * A real process that opens a store on `path` and runs `script` (JavaScript, with `store` in
 * scope, inside an async function). When the open fails it prints `<code>: <message>` to
 * stderr and exits 2. Killed after a minute at the latest, so it never outlives a hung test.
 */
export function storeChild(path: string, script: string): Child {
  const code = `import(${JSON.stringify(STORE_MODULE)}).then(async ({ openSqliteStore }) => {
    let store;
    try { store = openSqliteStore({ path: ${JSON.stringify(path)} }); }
    catch (e) { console.error(e.code + ': ' + e.message); process.exit(2); }
    ${script}
  });`;
  return spawnChild(process.execPath, ['--import', 'tsx', '-e', code], { killAfterMs: 60_000 });
}

/** Rewrites a closed store file back to schema `version` (1 or 2): what the migrations after it
 *  add is dropped, the messages stay. */
export function rollBackSchema(path: string, version: 1 | 2): void {
  const raw = new Database(path);
  try {
    raw.exec(`DROP TABLE dedup; ${version < 2 ? 'DROP TABLE inbox;' : ''} DROP INDEX messages_leases; DROP INDEX messages_visible;
      ALTER TABLE messages DROP COLUMN leased_until; ALTER TABLE messages DROP COLUMN lease_token;
      ALTER TABLE messages DROP COLUMN attempts; ALTER TABLE messages DROP COLUMN visible_at;
      ALTER TABLE messages DROP COLUMN origin; ALTER TABLE queues DROP COLUMN lease_seconds;
      ALTER TABLE queues DROP COLUMN max_attempts; ALTER TABLE queues DROP COLUMN dead_letter;
      ALTER TABLE messages DROP COLUMN enqueued_at; ALTER TABLE queues DROP COLUMN dead_lettered; DROP TABLE authkeys;
      ALTER TABLE messages DROP COLUMN meta; DROP TABLE sqs_queues;
      DROP TABLE presque_counters; DROP TABLE presque_workers; DROP TABLE presque_worker_queues; DROP TABLE presque_uniq;
      ${version < 2 ? '' : 'DROP INDEX inbox_message; ALTER TABLE inbox DROP COLUMN attempts; ALTER TABLE inbox DROP COLUMN expires_at; ALTER TABLE inbox DROP COLUMN meta;'}`);
    raw.pragma(`user_version = ${version}`);
  } finally {
    raw.close();
  }
}
