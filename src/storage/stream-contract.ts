/**
 * StreamStore: what streaming delivery (COMET, SSE, WebSocket) needs from a store, on top of
 * QueueStore. Fan-out itself is written once, in core/distributor.ts; a store only keeps the
 * shared state that several brokers must agree on.
 *
 * The model: every broker has an id and an *inbox*. A `dispatch` moves ready messages of a
 * queue out of the queue and into inboxes, per the queue's policy:
 * - broadcast: one copy into the inbox of each broker that has live consumers of the queue
 *   (that broker then writes it to every one of its consumers of the queue);
 * - roundrobin: into the inbox of the broker owning the one consumer chosen by a rotating
 *   cursor shared by all brokers (one message per turn, so no consumer starves).
 * A message leaves its queue only when a consumer is registered, never while the queue is
 * stopped, and the move is one atomic step. An inbox item stays in the inbox until its broker
 * acknowledges it after writing it to the sockets (`ackInbox`), so a broker that dies between
 * taking and writing loses nothing: `reap` (run by any broker) returns the items of brokers
 * whose heartbeat stopped to the front of their queues (a broadcast copy only when it was the
 * message's only copy — the other brokers' consumers got theirs).
 *
 * A message's SQS metadata (sqs-contract.ts) leaves its queue with it: the inbox item carries
 * it (`Delivery.meta`), so it is gone once the item is written and acknowledged, and every way
 * back (requeue, leaseDispatched, reap) restores it with the body.
 *
 * Invariants: one reader per inbox (its broker), strictly in order (read the oldest n, write
 * them, ack n); registrations expire unless refreshed, so a dead broker's consumers vanish.
 */
import type { LeasedMessage, Message } from '../wire.js';
import type { TakenMessage } from './contract.js';
import type { ConsumerReport } from './browse-contract.js';

/** A message in a broker's inbox, assigned by a dispatch. */
export interface Delivery extends Message {
  queue: string;
  /** roundrobin: the consumer it is for; broadcast: undefined (every local consumer). */
  consumer?: string;
  /** How many brokers received a copy (always 1 for roundrobin). */
  copies: number;
  /** When its TTL ends (epoch ms, the store's clock); absent: it never expires. */
  expiresAt?: number;
  /** Its SQS metadata (sqs-contract.ts), taken out of the queue with it; absent: it has none. */
  meta?: string;
}

/** A message handed back to its queue: with the expiry its Delivery or `take` reported, it keeps
 *  its TTL; with the SQS metadata its Delivery carried, it keeps that too. */
export type ReturnedMessage = TakenMessage & { meta?: string };

/** Events shared by every broker on the store. */
export type StoreEvent =
  /** Messages were added to a queue that has registered consumers. */
  | { type: 'enqueued'; queue: string }
  /** A queue was started, or its policy changed: dispatch again. */
  | { type: 'started'; queue: string }
  /** DELETE /q/<q>: every broker ends its streams of the queue. */
  | { type: 'closed'; queue: string }
  /** Items were put into this broker's inbox by another broker. */
  | { type: 'wake'; broker: string }
  /** A leased message was acknowledged or nacked: the streaming consumer holding it has room. */
  | { type: 'settled'; queue: string; receipt: string }
  /** Messages were enqueued with a delay; the first is due in `inMs` (relative: brokers' clocks
   *  may differ). Every broker waiting on the queue wakes its consumers then (core/due-waker.ts). */
  | { type: 'delayed'; queue: string; inMs: number };

export interface DispatchResult {
  /** Messages taken out of the queue by this call (0: empty, stopped or no consumer). */
  dispatched: number;
  /** This broker's oldest inbox items after the dispatch (up to `read`). */
  inbox: Delivery[];
}

export interface StreamStore {
  /** This broker's id (random per process). */
  readonly brokerId: string;
  /** True when the store's steps take effect in the order they were called, whenever their
   *  replies come (one Redis connection, one SQLite group commit per turn): the distributor
   *  then sends a dispatch right behind a local enqueue (core/own-enqueues.ts) and does not
   *  wait for an inbox ack before its next step. */
  readonly inOrder?: boolean;

  /** Registers or refreshes this broker's live consumers of `queue` for `ttlMs`. */
  registerConsumers(queue: string, consumerIds: readonly string[], ttlMs: number): Promise<void>;
  unregisterConsumers(queue: string, consumerIds: readonly string[]): Promise<void>;
  /** Replaces this broker's reports of its consumers of `queue` (their counts, for the other
   *  brokers' dashboards) for `ttlMs`; sent with each refresh of the registrations, so a report
   *  is as old as the refresh interval at most. registeredConsumers joins them. */
  publishConsumerReports(queue: string, reports: readonly ConsumerReport[], ttlMs: number): Promise<void>;

  /** Moves up to `count` messages of `queue` into inboxes (see above), then reads this
   *  broker's oldest `read` inbox items; one atomic step per backend call. */
  dispatch(queue: string, count: number, read: number): Promise<DispatchResult>;
  /** This broker's oldest `read` inbox items, not removed. */
  readInbox(read: number): Promise<Delivery[]>;
  /** Removes this broker's `n` oldest inbox items: they were written. */
  ackInbox(n: number): Promise<void>;
  /** Puts messages back at the front of their queue, oldest first (undelivered). A message
   *  keeps the expiry of its enqueue (`expiresAt`, or what the store still knows of it); one
   *  whose expiry has passed is dropped, never given a fresh life. */
  requeue(queue: string, messages: readonly ReturnedMessage[]): Promise<void>;
  /**
   * Leases dispatched messages (a leased consumer's roundrobin turns, read from this broker's
   * inbox) for `leaseMs`, in one atomic step: each gets its body back and a lease as `lease`
   * gives (a new receipt, attempts + 1), without going through its queue, so no other broker
   * or take can have it in between. A message whose body exists (it is back in its queue or
   * leased: a reaper returned this broker's inbox) or that the queue never issued is skipped.
   * Resolves to the leased ones, in the order given. Nothing is announced.
   */
  leaseDispatched(queue: string, messages: readonly ReturnedMessage[], leaseMs: number): Promise<LeasedMessage[]>;

  /** Marks this broker alive for `ttlMs`. */
  heartbeat(ttlMs: number): Promise<void>;
  /** Returns dead brokers' inbox items to their queues; resolves to how many were returned. */
  reap(): Promise<number>;
  /** Forgets this broker at a clean shutdown (after its inbox is empty). */
  leave(): Promise<void>;

  publish(event: StoreEvent): Promise<void>;
  /** Calls `listener` for every event from every broker (this one included). */
  subscribe(listener: (event: StoreEvent) => void): Promise<() => Promise<void>>;
}
