/** API key records on SQLite: the `authkeys` table of schema.ts, one row per key hash. */
import type Database from 'better-sqlite3';
import type { StoredAuthKey } from '../authkey-contract.js';

export function authKeyOperations(db: Database.Database) {
  const put = db.prepare<[string, string]>('INSERT INTO authkeys (hash, record) VALUES (?, ?) ON CONFLICT (hash) DO UPDATE SET record = excluded.record');
  const get = db.prepare<[string], { record: string }>('SELECT record FROM authkeys WHERE hash = ?');
  const list = db.prepare<[], StoredAuthKey>('SELECT hash, record FROM authkeys ORDER BY hash');
  const del = db.prepare<[string]>('DELETE FROM authkeys WHERE hash = ?');
  return {
    put: (hash: string, record: string): void => void put.run(hash, record),
    get: (hash: string): string | null => get.get(hash)?.record ?? null,
    list: (): StoredAuthKey[] => list.all(),
    delete: (hash: string): boolean => del.run(hash).changes > 0,
  };
}
