/** The conformance suite on a Redis Cluster (3 primaries, 3 replicas) started for this file;
 *  the queues of the run must have landed on all three primaries. */
import { privateCluster } from './private-redis-cluster.js';
import { runStoreConformance } from './conformance.js';
import { assertOnAllPrimaries } from '../harness/cluster-spread.js';

const { cluster, open } = privateCluster();
runStoreConformance({
  name: 'redis-cluster',
  open,
  checkQueues: { name: 'the queues of the cases are on all three primaries', check: (queues) => assertOnAllPrimaries(cluster(), queues, { withKeys: true }) },
});
