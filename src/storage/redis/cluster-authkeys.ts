/**
 * API key records on a cluster: the `AUTHKEY:<hash>` strings of redis-authkeys.ts, each in its
 * own slot, so listing scans every primary and reads the records one by one.
 */
import type { Cluster } from 'ioredis';
import type { StoredAuthKey } from '../authkey-contract.js';
import { clusterKeys } from './keys.js';
import type { Run } from './redis-errors.js';


const HASH = /^[0-9a-f]{64}$/;

export class ClusterAuthKeys {
  constructor(
    private readonly cluster: Cluster,
    private readonly run: Run,
  ) {}

  async put(hash: string, record: string): Promise<void> {
    await this.run(() => this.cluster.set(clusterKeys.authkey(hash), record));
  }

  get(hash: string): Promise<string | null> {
    return this.run(() => this.cluster.get(clusterKeys.authkey(hash)));
  }

  async list(): Promise<StoredAuthKey[]> {
    const prefix = clusterKeys.authkey('');
    return this.run(async () => {
      const hashes = new Set<string>();
      for (const node of this.cluster.nodes('master')) {
        let cursor = '0';
        do {
          const [next, batch] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
          cursor = next;
          for (const name of batch) if (HASH.test(name.slice(prefix.length))) hashes.add(name.slice(prefix.length));
        } while (cursor !== '0');
      }
      const sorted = [...hashes].sort();
      const records = await Promise.all(sorted.map((h) => this.cluster.get(clusterKeys.authkey(h))));
      const out: StoredAuthKey[] = [];
      sorted.forEach((hash, i) => {
        const record = records[i];
        if (typeof record === 'string') out.push({ hash, record });
      });
      return out;
    });
  }

  async delete(hash: string): Promise<boolean> {
    return (await this.run(() => this.cluster.del(clusterKeys.authkey(hash)))) === 1;
  }
}
