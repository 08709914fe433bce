/**
 * --redis-wait-replicas on a cluster: WAIT counts the replicas that have every write made on
 * the connection it is sent on, so it goes to the primary that owns the queue's slot, over the
 * connection the enqueue used. The slot is computed here (CRC16 of the hash tag, as Redis does).
 */
import type { Cluster } from 'ioredis';
import { BrokerError } from '../../errors.js';
import type { ReplicaWaitConfig } from '../../config/load.js';

/** CRC16-CCITT (XMODEM), the checksum Redis Cluster hashes keys with. */
function crc16(text: string): number {
  let crc = 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The slot of every key of queue `q` (their hash tag is `{q}`). */
export const queueSlot = (q: string): number => crc16(q) % 16384;

/** Resolves once `wait.replicas` replicas of `queue`'s primary have its writes; otherwise
 *  REPLICATION_TIMEOUT, as on one Redis (the message may be stored: retry with a dedup id). */
export async function waitForReplicas(cluster: Cluster, queue: string, wait: ReplicaWaitConfig): Promise<void> {
  const owner = cluster.slots[queueSlot(queue)]?.[0];
  const node = cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
  if (!node) throw new BrokerError('STORE_UNAVAILABLE', 'no primary known for the queue\'s slot');
  const acked = Number(await node.call('WAIT', wait.replicas, wait.timeoutMs));
  if (acked < wait.replicas) {
    throw new BrokerError('REPLICATION_TIMEOUT', `the write reached ${acked} of ${wait.replicas} replicas within ${wait.timeoutMs} ms`);
  }
}
