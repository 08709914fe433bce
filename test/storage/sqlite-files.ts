/**
 * Helpers of the SQLite-only tests: temp files removed after the file's tests, a real child
 * process that owns a store file (for locking and kill -9 cases), and a schema rolled back to
 * an old version (for migration cases).
 */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

/** A temp directory removed after the file's tests; `freshFile()` names a new file in it. */
export function tempFiles(prefix: string): { dir: string; freshFile: () => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return { dir, freshFile: () => join(dir, `${randomUUID()}.db`) };
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STORE_MODULE = new URL('../../src/storage/sqlite/sqlite-store.ts', import.meta.url).href;

export interface Child {
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  out: () => string;
  err: () => string;
  kill: () => void;
}

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
  const p = spawn(process.execPath, ['--import', 'tsx', '-e', code], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    p.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
  void exited.then(() => clearTimeout(timer));
  return { exited, out: () => out, err: () => err, kill: () => p.kill('SIGKILL') };
}

/** Resolves when the child prints `line`; fails if it exits first or after `timeoutMs`. */
export async function waitForLine(c: Child, line: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let done = false;
  void c.exited.then(() => { done = true; });
  while (!c.out().split('\n').includes(line)) {
    if (done) assert.fail(`child exited before printing ${line}: ${c.err()}`);
    if (Date.now() > deadline) assert.fail(`child did not print ${line} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Rewrites a closed store file back to schema `version` (1 or 2): what the migrations after it
 *  add is dropped, the messages stay. */
export function rollBackSchema(path: string, version: 1 | 2): void {
  const raw = new Database(path);
  try {
    raw.exec(`DROP TABLE dedup; ${version < 2 ? 'DROP TABLE inbox;' : ''} DROP INDEX messages_leases;
      ALTER TABLE messages DROP COLUMN leased_until; ALTER TABLE messages DROP COLUMN lease_token;
      ALTER TABLE messages DROP COLUMN attempts; ALTER TABLE messages DROP COLUMN visible_at;
      ALTER TABLE messages DROP COLUMN origin; ALTER TABLE queues DROP COLUMN lease_seconds;
      ALTER TABLE queues DROP COLUMN max_attempts; ALTER TABLE queues DROP COLUMN dead_letter;
      ALTER TABLE messages DROP COLUMN enqueued_at; ALTER TABLE queues DROP COLUMN dead_lettered; DROP TABLE authkeys;
      ALTER TABLE messages DROP COLUMN meta; DROP TABLE sqs_queues;`);
    raw.pragma(`user_version = ${version}`);
  } finally {
    raw.close();
  }
}
