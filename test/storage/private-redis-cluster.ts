/**
 * A private Redis Cluster for the tests around the call (one per file: six redis-servers),
 * started before them and stopped after. `open()` is a new cluster store on it.
 */
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openRedisClusterStore } from '../../src/storage/redis/cluster-open.js';
import type { ClusterStore } from '../../src/storage/redis/cluster-store.js';
import { startRedisCluster, type RedisCluster } from '../harness/redis-cluster.js';

export function privateCluster(): { cluster: () => RedisCluster; open: () => Promise<ClusterStore> } {
  let started: RedisCluster | undefined;
  before(async () => {
    started = await startRedisCluster();
  });
  after(async () => {
    await started?.stop();
  });
  const cluster = (): RedisCluster => {
    assert.ok(started, 'cluster not started');
    return started;
  };
  return { cluster, open: () => openRedisClusterStore({ kind: 'redis-cluster', nodes: cluster().nodes.map(({ host, port }) => ({ host, port })) }) };
}
