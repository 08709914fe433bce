/**
 * A private Redis Cluster for the tests around the call (one per file: six redis-servers),
 * started before them and stopped after. `open()` is a new cluster store on it.
 */
import { openRedisClusterStore } from '../../src/storage/redis/cluster-open.js';
import type { ClusterStore } from '../../src/storage/redis/cluster-store.js';
import { startRedisCluster, type RedisCluster } from '../harness/redis-cluster.js';
import { aroundTests } from './private-redis.js';

export function privateCluster(): { cluster: () => RedisCluster; open: () => Promise<ClusterStore> } {
  const cluster = aroundTests(() => startRedisCluster(), 'cluster');
  return { cluster, open: () => openRedisClusterStore({ kind: 'redis-cluster', nodes: cluster().nodes.map(({ host, port }) => ({ host, port })) }) };
}
