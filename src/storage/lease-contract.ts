/**
 * LeaseStore: reliable delivery (SPEC.md section 6), on top of QueueStore. A lease hands a
 * message out without removing it: it is invisible until acknowledged (removed for good) or
 * until the lease ends, when it returns to the front of its queue with `attempts` + 1 — or,
 * once `attempts` reaches the queue's `maxAttempts`, moves to its dead-letter queue.
 *
 * Invariants every backend keeps:
 * - lease, ack, nack, extend and reapLeases are each one atomic step; a message is leased to
 *   at most one holder at a time, and a leased message is never returned by take/lease.
 * - A receipt names one message and one lease: `<n>.<token>` where `<q>:<n>` is the key and
 *   the token is random per lease. After ack, nack, expiry or a new lease it is stale.
 * - `attempts` counts the leases a message has had (1 on its first lease); a plain `take`
 *   does not count.
 * - Lease state lives in extra keys/tables an old RestMQ ignores: to an old broker a leased
 *   message is simply not in the pending list, and its body key stays until ack.
 * - FIFO queues (a name ending in `.fifo`): a message's group is the `g` of its SQS metadata
 *   (sqs-contract.ts). `lease` skips every message whose group has a message leased (or nacked
 *   with a delay and not yet back), and messages after it of that group; one lease may take
 *   several messages of a free group, in order. It looks at the oldest FIFO_SCAN messages that are
 *   not leased: beyond them it finds nothing. Messages without a group are never held back.
 *   Other queues pay nothing for this (a name check).
 * - Expired leases are returned by `reapLeases`, which any broker may call at any time
 *   (concurrent calls never return a message twice); `lease` also reaps its own queue first.
 */
import type { LeasedMessage, QueueSettings } from '../wire.js';

/** Wire types (wire.ts), named here too because every lease backend speaks them. */
export type { LeasedMessage, QueueSettings };

/** How many of the oldest messages a FIFO lease looks at for a free group (AWS: 20,000). */
export const FIFO_SCAN = 1000;

/** The queues whose leases keep message groups (SQS FIFO queues). */
export const isFifoQueue = (queue: string): boolean => queue.endsWith('.fifo');

export interface LeaseResult {
  messages: LeasedMessage[];
  /** True when the queue is stopped; then `messages` is empty. */
  stopped: boolean;
  expired: number;
}

export type ReceiptOutcome = 'ok' | 'stale';

export interface LeaseStore {
  /** Leases up to `count` oldest ready messages for `leaseMs`. */
  lease(queue: string, count: number, leaseMs: number): Promise<LeaseResult>;
  /** Removes the leased message for good. */
  ack(queue: string, receipt: string): Promise<ReceiptOutcome>;
  /** True when a successful ack() itself tells streaming consumers on every broker (the
   *  'settled' event), so the caller publishes nothing more. */
  readonly ackAnnounces?: boolean;
  /** Ends the lease now: back to the front of the queue (after `delayMs`, if > 0), attempts kept
   *  (the next lease counts the next attempt); dead-lettered if attempts reached maxAttempts. */
  nack(queue: string, receipt: string, delayMs: number): Promise<ReceiptOutcome>;
  /** Ends the lease by moving the message to `target`: a new message at the end of that queue,
   *  attempts starting afresh, what is left of its TTL and its SQS metadata kept; deleted here as
   *  an ack would (its receipt is stale after). One atomic step, except on a Redis Cluster, where
   *  the two queues are two slots and the move goes through an outbox (never lost, never twice). */
  moveLeased(queue: string, receipt: string, target: string): Promise<ReceiptOutcome>;
  /** Sets the lease to end `leaseMs` from now. */
  extend(queue: string, receipt: string, leaseMs: number): Promise<ReceiptOutcome>;
  /** Returns every expired lease of `queues` (all queues with leases when omitted). */
  reapLeases(queues?: readonly string[]): Promise<{ returned: number; dead: number }>;

  getSettings(queue: string): Promise<QueueSettings>;
  setSettings(queue: string, settings: QueueSettings): Promise<void>;
  /** Moves every message of a dead-letter queue back to the queue it died in, in order; with
   *  `destination` (not the dead-letter queue itself), every message to that queue instead. */
  redrive(deadQueue: string, destination?: string): Promise<number>;
}
