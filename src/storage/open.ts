/** The one switch from configuration to a storage backend. */
import type { SqliteSync, StoreConfig } from '../config/load.js';
import type { QueueStore } from './contract.js';
import type { StreamStore } from './stream-contract.js';
import type { LeaseStore } from './lease-contract.js';
import type { AuthKeyStore } from './authkey-contract.js';
import type { MeterStore } from './meter-contract.js';
import { openRedisStore } from './redis/redis-store.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

export async function openStore(config: StoreConfig, sqliteSync: SqliteSync = 'normal'): Promise<QueueStore & StreamStore & LeaseStore & AuthKeyStore & MeterStore> {
  switch (config.kind) {
    case 'redis':
      return openRedisStore({ host: config.host, port: config.port, db: config.db, ...(config.password ? { password: config.password } : {}) });
    case 'sqlite':
      return openSqliteStore({ path: config.path, synchronous: sqliteSync === 'full' ? 'FULL' : 'NORMAL' });
    case 'memory':
      return openSqliteStore({ path: ':memory:' });
  }
}
