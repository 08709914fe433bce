/** The conformance suite on a Redis Cluster (3 primaries, 3 replicas) started for this file. */
import { privateCluster } from './private-redis-cluster.js';
import { runStoreConformance } from './conformance.js';

const { open } = privateCluster();
runStoreConformance({ name: 'redis-cluster', open });
