/**
 * Moving a leased message to another queue (lease-contract.ts moveLeased) on Redis, both
 * layouts. Plain: one script (moveleased-8.lua) ends the lease and enqueues the message in the
 * target. Cluster: the two queues live in two slots, so it is a move through the source's
 * outbox (cluster-moves.ts): step 0 by moveleased-20.lua, then steps 1 and 2; the source joins
 * the reaper's set first, so a crash midway is finished by the next reaper.
 */
import type { ReceiptOutcome } from '../lease-contract.js';
import { drainOutbox } from './cluster-moves.js';
import type { ScriptedCluster } from './cluster-scripts.js';
import { clusterKeys, clusterQueueKeys, LEASE_LAYOUT } from './keys.js';
import { leaseKeys, parseReceipt } from './redis-lease.js';
import type { ScriptedRedis } from './scripts.js';
import type { Run } from './redis-errors.js';
import { RECEIPT } from './redis-lease.js';


/** `<n>.<token>`, as redis-lease.ts. */

export async function moveLeasedPlain(redis: ScriptedRedis, channel: string, run: Run, queue: string, receipt: string, target: string): Promise<ReceiptOutcome> {
  const p = parseReceipt(queue, receipt);
  if (!p) return 'stale';
  const r = await run(() => redis.moveleased(...leaseKeys(queue), LEASE_LAYOUT, channel, queue, p.key, p.token, target));
  return Number(r) === 1 ? 'ok' : 'stale';
}

export async function moveLeasedCluster(cluster: ScriptedCluster, run: Run, register: (queue: string) => Promise<void>,
  queue: string, receipt: string, target: string): Promise<ReceiptOutcome> {
  const p = RECEIPT.exec(receipt);
  if (!p) return 'stale';
  return run(async () => {
    await cluster.sadd(clusterKeys.leasedQueues, queue);
    const r = await cluster.moveleased(...clusterQueueKeys(queue), queue, p[1]!, p[2]!, target);
    if (Number(r[0]) !== 1) return 'stale';
    await drainOutbox(cluster, queue, r.slice(1), register);
    return 'ok';
  });
}
