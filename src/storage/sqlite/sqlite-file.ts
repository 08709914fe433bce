/**
 * Opening the SQLite file (sqlite-store.ts): the one-broker lock, and the one mapping of SQLite
 * failures to the catalogue, which the store uses for every failure after that too.
 */
import Database from 'better-sqlite3';
import { BrokerError } from '../../errors.js';

/** The one mapping of SQLite failures to the catalogue; anything else is a bug and stays. */
export function storeError(err: unknown, message?: string): unknown {
  if (err instanceof BrokerError) return err;
  if (err instanceof Database.SqliteError || message !== undefined) {
    return new BrokerError('STORE_UNAVAILABLE', message, { cause: err });
  }
  return err;
}

/**
 * One broker per file. locking_mode=EXCLUSIVE set *before* WAL mode means SQLite keeps the
 * wal-index in heap memory (no -shm file) and, once the first transaction has run, holds the
 * OS lock on the database file until close; the kernel drops it if the process dies, so a
 * crash never leaves a stale lock. A second process fails at its first read with SQLITE_BUSY.
 * (Checked across processes by test/storage/sqlite.test.ts.)
 */
export function takeOwnership(db: Database.Database, path: string): void {
  db.pragma('locking_mode = EXCLUSIVE');
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new BrokerError('STORE_UNAVAILABLE', `the SQLite file ${path} cannot use WAL mode`);
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    const code = err instanceof Database.SqliteError ? err.code : '';
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new BrokerError('STORE_UNAVAILABLE', `the SQLite file ${path} is in use by another broker process`, { cause: err });
    }
    throw err;
  }
}
