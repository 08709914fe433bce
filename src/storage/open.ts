/** The one switch from configuration to a storage backend. */
import type { SqliteSync, StoreConfig } from '../config/load.js';
import type { QueueStore } from './contract.js';
import type { StreamStore } from './stream-contract.js';
import type { LeaseStore } from './lease-contract.js';
import type { AuthKeyStore } from './authkey-contract.js';
import type { MeterStore } from './meter-contract.js';
import type { BrowseStore } from './browse-contract.js';
import type { SqsStore } from './sqs-contract.js';
import type { PresqueHolder } from './presque-contract.js';
import { openRedisStore } from './redis/redis-store.js';
import { openRedisClusterStore } from './redis/cluster-open.js';
import { openSqliteStore } from './sqlite/sqlite-store.js';

export async function openStore(config: StoreConfig, sqliteSync: SqliteSync = 'normal'): Promise<QueueStore & StreamStore & LeaseStore & AuthKeyStore & MeterStore & SqsStore & PresqueHolder & BrowseStore> {
  switch (config.kind) {
    case 'redis':
    case 'redis-sentinel':
      return openRedisStore(config);
    case 'redis-cluster':
      return openRedisClusterStore(config);
    case 'sqlite':
      return openSqliteStore({ path: config.path, synchronous: sqliteSync === 'full' ? 'FULL' : 'NORMAL' });
    case 'memory':
      return openSqliteStore({ path: ':memory:' });
  }
}
