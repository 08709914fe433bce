/**
 * MeterStore on Redis (meter-contract.ts): meters-0.lua reads everything of up to CHUNK queues
 * server-side and answers nine integers per queue. Chunks are sent back to back on the one
 * connection (pipelined), so 1,000 queues cost one round trip, and a script never holds Redis
 * for long even with many thousands of queues.
 */
import type { Policy, QueueStatus } from '../../wire.js';
import type { QueueMeters } from '../meter-contract.js';
import { LEASE_LAYOUT } from './keys.js';
import type { ScriptedRedis } from './scripts.js';
import type { Run } from './redis-errors.js';


const CHUNK = 250;
const FIELDS = 9;

const status = (n: number): QueueStatus | null => (n === 1 ? 'started' : n === 0 ? 'stopped' : null);
const policy = (n: number): Policy | null => (n === 1 ? 'broadcast' : n === 2 ? 'roundrobin' : null);

export async function readMeters(redis: ScriptedRedis, run: Run, queues: readonly string[]): Promise<QueueMeters[]> {
  const chunks: string[][] = [];
  for (let i = 0; i < queues.length; i += CHUNK) chunks.push(queues.slice(i, i + CHUNK));
  const replies = await run(() => Promise.all(chunks.map((c) => redis.meters(LEASE_LAYOUT, ...c))));
  const out: QueueMeters[] = [];
  for (const r of replies) {
    for (let i = 0; i + FIELDS <= r.length; i += FIELDS) {
      const age = r[i + 7]!;
      out.push({
        ready: r[i]!, status: status(r[i + 1]!), policy: policy(r[i + 2]!), inflight: r[i + 3]!, delayed: r[i + 4]!,
        dead: r[i + 5]!, consumers: r[i + 6]!, oldestAgeMs: age < 0 ? null : age, deadLettered: r[i + 8]!,
      });
    }
  }
  return out;
}
