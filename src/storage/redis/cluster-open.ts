/** Opens the store on a Redis Cluster (redis-cluster://host:port,host:port). */
import type { RedisClusterConfig } from '../../config/load.js';
import { connectRedisCluster } from './connection.js';
import { ClusterStore } from './cluster-store.js';
import { loadClusterScripts, registerClusterScripts, type ScriptedCluster } from './cluster-scripts.js';

/** Connects (failing fast when the cluster cannot serve every slot) with the cluster scripts defined. */
export async function openRedisClusterStore(config: RedisClusterConfig): Promise<ClusterStore> {
  // Auto-pipelining groups the per-queue commands of a listing or a scrape by node. It routes a
  // command by its first argument, which for a `-n` script is the number of keys, not a key: such
  // a call would join the batch of whichever node serves that number's slot, and ioredis then
  // fails the whole batch (every command in it) for mixing nodes. Those scripts go on their own.
  const unkeyed = loadClusterScripts().filter((s) => s.numberOfKeys < 0).map((s) => s.name);
  const cluster = await connectRedisCluster(config, registerClusterScripts, { enableAutoPipelining: true, autoPipeliningIgnoredCommands: unkeyed });
  return new ClusterStore(cluster as ScriptedCluster, config.wait);
}
