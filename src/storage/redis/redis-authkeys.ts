/**
 * API key records on Redis: `AUTHKEY:<sha256 hex>` strings (keys.ts), the original's key
 * layout with the hash in place of the key. Listing walks them with SCAN (never KEYS), for
 * the admin commands only; names that are not a hash (an old plain-text record) are skipped.
 */
import type { Redis } from 'ioredis';
import type { StoredAuthKey } from '../authkey-contract.js';
import { keys } from './keys.js';
import type { Run } from './redis-errors.js';


const HASH = /^[0-9a-f]{64}$/;

export class RedisAuthKeys {
  constructor(
    private readonly redis: Redis,
    private readonly run: Run,
  ) {}

  async put(hash: string, record: string): Promise<void> {
    await this.run(() => this.redis.set(keys.authkey(hash), record));
  }

  get(hash: string): Promise<string | null> {
    return this.run(() => this.redis.get(keys.authkey(hash)));
  }

  async list(): Promise<StoredAuthKey[]> {
    const prefix = keys.authkey('');
    const names = new Set<string>();
    let cursor = '0';
    do {
      const [next, batch] = await this.run(() => this.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500));
      cursor = next;
      for (const name of batch) if (HASH.test(name.slice(prefix.length))) names.add(name);
    } while (cursor !== '0');
    const sorted = [...names].sort();
    if (sorted.length === 0) return [];
    const values = await this.run(() => this.redis.mget(...sorted));
    const out: StoredAuthKey[] = [];
    sorted.forEach((name, i) => {
      const record = values[i];
      if (typeof record === 'string') out.push({ hash: name.slice(prefix.length), record });
    });
    return out;
  }

  async delete(hash: string): Promise<boolean> {
    return (await this.run(() => this.redis.del(keys.authkey(hash)))) === 1;
  }
}
