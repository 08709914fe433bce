/** Opens the store on a Redis Cluster (redis-cluster://host:port,host:port). */
import { Cluster } from 'ioredis';
import { BrokerError } from '../../errors.js';
import { ClusterStore } from './cluster-store.js';
import { registerClusterScripts, type ScriptedCluster } from './cluster-scripts.js';

export interface RedisClusterOptions {
  nodes: { host: string; port: number }[];
  password?: string;
}

/** Connects (failing fast when no node answers) and registers the cluster scripts. */
export async function openRedisClusterStore(opts: RedisClusterOptions): Promise<ClusterStore> {
  const cluster = new Cluster(opts.nodes, {
    lazyConnect: true,
    enableAutoPipelining: true,
    redisOptions: {
      ...(opts.password === undefined ? {} : { password: opts.password }),
      connectTimeout: 3000,
      commandTimeout: 5000,
      maxRetriesPerRequest: 1,
    },
  });
  cluster.on('error', () => {});
  registerClusterScripts(cluster);
  try {
    await cluster.connect();
  } catch (err) {
    cluster.disconnect();
    const where = opts.nodes.map((n) => `${n.host}:${n.port}`).join(',');
    throw new BrokerError('STORE_UNAVAILABLE', `cannot connect to the Redis cluster at ${where}`, { cause: err });
  }
  return new ClusterStore(cluster as ScriptedCluster);
}
