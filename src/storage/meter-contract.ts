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

/** QueueMeters summed over many queues (the ones a ranking leaves out). */
export interface MeterSums {
  /** How many queues are summed. */
  queues: number;
  /** How many of them have the status stopped. */
  stopped: number;
  ready: number;
  inflight: number;
  delayed: number;
  dead: number;
  /** Streaming consumers registered by every broker. */
  consumers: number;
  /** Long polls waiting on every broker, as reported (pollsWaiting). */
  polls: number;
  deadLettered: number;
  /** The largest oldestAgeMs among them; null when none has one. */
  oldestAgeMs: number | null;
}

/** The deepest queues by name, and the sums over every other registered queue. */
export interface QueueRanking {
  /** At most `limit` registered queues, deepest first (ready + inflight + delayed), ties by
   *  name (code unit order): what listQueues and meters would rank, without reading them all. */
  top: string[];
  /** Every registered queue not in `top`, summed. */
  rest: MeterSums;
}

export interface MeterStore {
  /** The meters of each queue, in the order asked. */
  meters(queues: readonly string[]): Promise<QueueMeters[]>;
  /** The `limit` deepest registered queues and the sums over the others, as cheaply as the
   *  backend allows: a scrape with a cap on per-queue series reads this, not every queue. */
  rankQueues(limit: number): Promise<QueueRanking>;
  /** Replaces this broker's counts of waiting long polls (a queue left out: none), each kept
   *  for `ttlMs` unless reported again, so a broker that is gone drops out of the sums. */
  reportPolls(waiting: ReadonlyMap<string, number>, ttlMs: number): Promise<void>;
  /** Long polls waiting on every broker sharing the store, per queue, as last reported. */
  pollsWaiting(queues: readonly string[]): Promise<number[]>;
}
