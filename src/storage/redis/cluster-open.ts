/** Opens the store on a Redis Cluster (redis-cluster://host:port,host:port). */
import type { RedisClusterConfig } from '../../config/load.js';
import { BrokerError } from '../../errors.js';
import type { QueueStore } from '../contract.js';
import type { StreamStore } from '../stream-contract.js';
import type { LeaseStore } from '../lease-contract.js';
import type { AuthKeyStore } from '../authkey-contract.js';
import type { MeterStore } from '../meter-contract.js';
import { connectRedisCluster } from './connection.js';

/** Placeholder until the cluster store lands: checks the cluster is reachable and ready, then refuses. */
export async function openRedisClusterStore(config: RedisClusterConfig): Promise<QueueStore & StreamStore & LeaseStore & AuthKeyStore & MeterStore> {
  const cluster = await connectRedisCluster(config);
  cluster.disconnect();
  throw new BrokerError('STORE_UNAVAILABLE', 'the Redis Cluster store is not built yet');
}
