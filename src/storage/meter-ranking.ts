/**
 * MeterStore.rankQueues from the store's own listQueues, meters and pollsWaiting: what a
 * backend without a cheaper way (Redis, Redis Cluster: the figures live in keys per queue, so
 * every queue is read anyway) uses. One place for the ranking rule and the sums, which the
 * SQLite query (sqlite/sqlite-ranking.ts) computes in SQL and the conformance suite compares.
 */
import type { MeterStore, MeterSums, QueueMeters, QueueRanking } from './meter-contract.js';

export const depthOf = (m: Pick<QueueMeters, 'ready' | 'inflight' | 'delayed'>): number => m.ready + m.inflight + m.delayed;

/** No queue: what an empty rest reads. */
export function noSums(): MeterSums {
  return { queues: 0, stopped: 0, ready: 0, inflight: 0, delayed: 0, dead: 0, consumers: 0, polls: 0, deadLettered: 0, oldestAgeMs: null };
}

/** Adds one queue's figures to `sum`. */
export function addMeters(sum: MeterSums, m: QueueMeters, polls: number): void {
  sum.queues++;
  if (m.status === 'stopped') sum.stopped++;
  sum.ready += m.ready;
  sum.inflight += m.inflight;
  sum.delayed += m.delayed;
  sum.dead += m.dead;
  sum.consumers += m.consumers;
  sum.polls += polls;
  sum.deadLettered += m.deadLettered;
  if (m.oldestAgeMs !== null && (sum.oldestAgeMs === null || m.oldestAgeMs > sum.oldestAgeMs)) sum.oldestAgeMs = m.oldestAgeMs;
}

/** Deepest first, then by name in code unit order (SQLite's BINARY collation on ASCII names). */
export function byDepth(a: { queue: string; depth: number }, b: { queue: string; depth: number }): number {
  return b.depth - a.depth || (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0);
}

export async function rankByMeters(store: Pick<MeterStore, 'meters' | 'pollsWaiting'> & { listQueues(): Promise<string[]> }, limit: number): Promise<QueueRanking> {
  const queues = await store.listQueues();
  const [meters, polls] = await Promise.all([store.meters(queues), store.pollsWaiting(queues)]);
  const ranked = queues.map((queue, i) => ({ queue, depth: depthOf(meters[i]!), i })).sort(byDepth);
  const rest = noSums();
  for (const r of ranked.slice(Math.max(0, limit))) addMeters(rest, meters[r.i]!, polls[r.i]!);
  return { top: ranked.slice(0, Math.max(0, limit)).map((r) => r.queue), rest };
}
