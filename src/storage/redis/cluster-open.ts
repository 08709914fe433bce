/** Opens the store on a Redis Cluster (redis-cluster://host:port,host:port). */
import type { RedisClusterConfig } from '../../config/load.js';
import { connectRedisCluster } from './connection.js';
import { ClusterStore } from './cluster-store.js';
import { registerClusterScripts, type ScriptedCluster } from './cluster-scripts.js';

/** Connects (failing fast when the cluster cannot serve every slot) with the cluster scripts defined. */
export async function openRedisClusterStore(config: RedisClusterConfig): Promise<ClusterStore> {
  // Auto-pipelining groups the per-queue commands of a listing or a scrape by node.
  const cluster = await connectRedisCluster(config, registerClusterScripts, { enableAutoPipelining: true });
  return new ClusterStore(cluster as ScriptedCluster, config.wait);
}
