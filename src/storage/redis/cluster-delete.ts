/**
 * Deleting a queue on a Redis Cluster (QueueStore.deleteQueue). Every key of the queue carries
 * its hash tag, so one script in its slot deletes them all at once (lua/cluster/deletequeue-n.lua).
 * Some key names hold ids no broker can list (inboxes, dedup ids, move markers): the slot's
 * primary lists them (CLUSTER GETKEYSINSLOT, one slot only, never a keyspace scan). The index
 * and the reapers' sets live in other slots and lose the name after the script.
 */
import { BrokerError } from '../../errors.js';
import { clusterKeys, clusterQueueKeys, clusterQueueOf } from './keys.js';
import { queueSlot } from './cluster-wait.js';
import type { ScriptedCluster } from './cluster-scripts.js';

/** True when the queue had any key or an index entry. */
export async function deleteClusterQueue(cluster: ScriptedCluster, queue: string): Promise<boolean> {
  const slot = queueSlot(queue);
  const owner = cluster.slots[slot]?.[0];
  const node = cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
  if (!node) throw new BrokerError('STORE_UNAVAILABLE', 'no primary known for the queue\'s slot');
  const fixed = [...clusterQueueKeys(queue), clusterKeys.sqsQueue(queue)];
  const count = Number(await node.call('CLUSTER', 'COUNTKEYSINSLOT', slot));
  const inSlot = count === 0 ? [] : ((await node.call('CLUSTER', 'GETKEYSINSLOT', slot, count)) as string[]);
  const named = new Set(fixed);
  const all = [...fixed, ...inSlot.filter((k) => clusterQueueOf(k) === queue && !named.has(k))];
  const existed = Number(await cluster.deletequeue(all.length, ...all, queue));
  const [listed] = await Promise.all([cluster.srem(clusterKeys.queueIndex, queue),
    cluster.srem(clusterKeys.leasedQueues, queue), cluster.srem(clusterKeys.streamQueues, queue)]);
  return existed > 0 || listed === 1;
}
