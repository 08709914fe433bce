/**
 * The store several broker processes share in the multi-broker suites: one Redis, or one Redis
 * Cluster (six redis-servers, started once per file), and, on the cluster, the check that the
 * queues a group made are on every primary.
 */
import { startRedis, type RedisServer } from '../harness/redis.js';
import { startRedisCluster, type RedisCluster } from '../harness/redis-cluster.js';
import { assertOnAllPrimaries } from '../harness/cluster-spread.js';
import { selected } from './backends.js';

export type SharedBackend = 'redis' | 'redis-cluster';
/** RESTMQ_E2E_BACKENDS narrows these as it does the single-broker groups. */
export const SHARED_BACKENDS = selected(['redis', 'redis-cluster']) as readonly SharedBackend[];

export interface SharedStore {
  backend: SharedBackend;
  /** "one Redis" or "one Redis Cluster", for the group's title. */
  title: string;
  /** The --store URL of every broker. */
  url: string;
  /** The plain Redis (redis backend only). */
  redis?: RedisServer;
  /** The cluster (redis-cluster backend only). */
  cluster?: RedisCluster;
  stop(): Promise<void>;
}

export const titleOf = (backend: SharedBackend): string => (backend === 'redis' ? 'one Redis' : 'one Redis Cluster');

export async function startSharedStore(backend: SharedBackend): Promise<SharedStore> {
  const title = titleOf(backend);
  if (backend === 'redis') {
    const redis = await startRedis();
    return { backend, title, url: `redis://127.0.0.1:${redis.port}/0`, redis, stop: () => redis.stop() };
  }
  const cluster = await startRedisCluster();
  return { backend, title, url: cluster.url, cluster, stop: () => cluster.stop() };
}

/** On a cluster: the queues (the names a group made) are on all three primaries. */
export async function assertQueuesSpread(store: SharedStore, queues: readonly string[]): Promise<void> {
  if (store.cluster) await assertOnAllPrimaries(store.cluster, queues, { withKeys: false });
}
