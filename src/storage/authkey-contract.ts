/**
 * AuthKeyStore: API key records (SPEC.md section 7), kept by hash. A record is opaque JSON to
 * the store (src/auth/authkeys.ts shapes it); the hash is the lowercase SHA-256 hex of the key,
 * so the key itself is never stored. On Redis a record is the original's `AUTHKEY:<...>`
 * string, named by the hash; on SQLite a row of `authkeys`.
 */
export interface StoredAuthKey {
  hash: string;
  record: string;
}

export interface AuthKeyStore {
  /** Creates or replaces the record of `hash`. */
  putAuthKey(hash: string, record: string): Promise<void>;
  /** The record of `hash`, or null. */
  getAuthKey(hash: string): Promise<string | null>;
  /** Every record whose name is a hash (64 hex digits), by hash. */
  listAuthKeys(): Promise<StoredAuthKey[]>;
  /** Deletes the record; false when there was none. */
  deleteAuthKey(hash: string): Promise<boolean>;
}
