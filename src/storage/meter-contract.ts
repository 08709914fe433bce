/**
 * MeterStore: what the queue overview and /metrics show of every queue, read for many queues
 * in as few store round trips as the backend allows (a scrape asks for all of them). Both
 * backends implement it; QueueService.stats stays the path of /stats.
 */
import type { Policy, QueueStatus } from '../wire.js';

export interface QueueMeters {
  /** Pending messages, as QueueInfo.length. */
  ready: number;
  /** Stored status and policy, null when none is stored (started, broadcast). */
  status: QueueStatus | null;
  policy: Policy | null;
  /** Messages leased to a holder. */
  inflight: number;
  /** Messages not yet visible (enqueued with a delay, or nacked with one). */
  delayed: number;
  /** Pending messages of the default dead-letter queue `<q>.dead`. */
  dead: number;
  /** Live streaming consumers registered by every broker sharing the store. */
  consumers: number;
  /** Milliseconds since the oldest ready message was enqueued, by the store's clock; null when
   *  no message is ready or none is dated (written before this version, or by an old broker).
   *  Redis dates messages by a sample at most once a second, so it may read up to a second
   *  high; a message back from a lease reads at least the age of the oldest date kept. */
  oldestAgeMs: number | null;
  /** Messages moved from this queue to a dead-letter queue, ever, by every broker. */
  deadLettered: number;
}

export interface MeterStore {
  /** The meters of each queue, in the order asked. */
  meters(queues: readonly string[]): Promise<QueueMeters[]>;
  /** Replaces this broker's counts of waiting long polls (a queue left out: none), each kept
   *  for `ttlMs` unless reported again, so a broker that is gone drops out of the sums. */
  reportPolls(waiting: ReadonlyMap<string, number>, ttlMs: number): Promise<void>;
  /** Long polls waiting on every broker sharing the store, per queue, as last reported. */
  pollsWaiting(queues: readonly string[]): Promise<number[]>;
}
