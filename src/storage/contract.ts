/**
 * QueueStore: the storage contract, in queue terms. Every backend (Redis, SQLite) implements
 * it and passes test/storage/conformance.ts. Nothing above storage/ knows which one it has.
 *
 * Invariants every backend keeps:
 * - Each state-changing method is one atomic step (one Lua script on Redis, one savepoint or
 *   statement of a group commit in SQLite): a crash at any instant leaves either all of it or
 *   none of it, and a method resolves only once its step is committed.
 * - Keys are `<queue>:<n>`, n = 1, 2, 3... from a per-queue counter that is never reset,
 *   not even by purge.
 * - Messages come out in FIFO order (oldest key first). A message is handed out by `take`
 *   to exactly one caller, however many take concurrently, on however many brokers.
 * - A message whose TTL has passed is never returned: `take`/`softGet` skip and drop it.
 * - `take` on a stopped queue takes nothing and says so (`stopped: true`).
 * - Queue names reaching a store are already valid (core/names.ts); stores do not re-check.
 */
import type { Policy, QueueStatus, Message } from '../wire.js';

export type StoreKind = 'redis' | 'sqlite' | 'memory';

/** How long a dedup id is remembered (SPEC section 6: five minutes), on every backend. */
export const DEDUP_SECONDS = 300;

/** Options of an enqueue, as a store receives them: normalized by the core
 *  (core/enqueue-options.ts), so stores check none of this themselves. */
export interface EnqueueOptions {
  /** Seconds until the body expires (a whole number ≥ 1), as the original's `ttl`. The clock
   *  starts at the enqueue, also for a delayed message. */
  ttlSeconds?: number;
  /** Milliseconds before the message becomes visible (SPEC 6 `delay`), a whole number ≥ 1;
   *  absent: at once. Until then take, lease, peek, softGet, dispatch and `length` skip it; it
   *  counts as delayed. Applies to every value of a batch. */
  delayMs?: number;
  /** SPEC 6 `dedup`: within DEDUP_SECONDS of the first enqueue with this id on this queue, an
   *  enqueue with the same id returns that first message's key (even if it has been consumed
   *  since) and enqueues nothing. Only with a single value (the core refuses a batch with
   *  INVALID_BATCH). Any non-empty string. */
  dedupId?: string;
}

/** A message `take` handed out, with when its TTL ends (epoch ms, the store's clock; absent: it
 *  never expires), so a caller that gives it back (StreamStore.requeue: its client left before
 *  the reply) keeps its TTL. Internal: replies copy only key and value. */
export interface TakenMessage extends Message {
  expiresAt?: number;
}

export interface TakeResult {
  messages: TakenMessage[];
  /** True when the queue is stopped; then `messages` is empty. */
  stopped: boolean;
  /** How many expired entries were dropped on the way. */
  expired: number;
}

/** JSON `get` (soft get): the oldest message, not removed; `count` = times soft-read. */
export interface SoftGetResult extends Message {
  count: number;
}

export interface QueueInfo {
  name: string;
  /** Pending messages (the legacy `LLEN <q>:queue`). */
  length: number;
  /** Stored status, null when none is stored (which means started). */
  status: QueueStatus | null;
  /** Stored policy, null when none is stored (which means broadcast). */
  policy: Policy | null;
}

export interface QueueStore {
  readonly kind: StoreKind;

  /** Appends values in order; returns their keys. Registers the queue (QUEUESET). With
   *  `delayMs` the messages stay invisible until due and are visible from then on: every read
   *  of the queue (take, lease, softGet, peek, dispatch, the meters' counts) sees a due message
   *  in the same atomic step, with no reaper run (Redis: the read's script first moves the due
   *  ones from the delayed ZSET to the back of the queue; SQLite: the row's visible_at has
   *  passed). On Redis a due message joins the back of the queue when a read or the reaper
   *  moves it; on SQLite it sorts by its key (older than what was enqueued after it), so the
   *  backends agree on the order except when a due delayed message meets messages enqueued
   *  after it that are still pending (Redis: those first; SQLite: it first). Waking consumers
   *  at the due time is the broker's part (core/due-waker.ts, promoteDue).
   *  With `dedupId`, a repeated id returns `[firstKey]` and changes nothing. Delay, dedup and
   *  the append are one atomic step. */
  enqueue(queue: string, values: readonly string[], options?: EnqueueOptions): Promise<string[]>;

  /** Removes and returns up to `count` oldest messages (bodies deleted in the same step). */
  take(queue: string, count: number): Promise<TakeResult>;

  /** Returns the oldest message without removing it and bumps its soft-read count. */
  softGet(queue: string): Promise<SoftGetResult | null>;

  /** Oldest `count` messages, oldest first, not consumed and not counted. */
  peek(queue: string, count: number): Promise<Message[]>;

  /** Makes the queue's due delayed messages ready (as any read does) and returns in how many ms
   *  its next delayed message is due (0: due now), null when it has none. */
  promoteDue(queue: string): Promise<number | null>;

  /** Deletes one message (body and pending entry) of this queue; true if it existed. */
  remove(queue: string, key: string): Promise<boolean>;

  /** Deletes every pending message and its body; true if any was pending. Keeps the counter,
   *  the policy, the status and the queue's registration. */
  purge(queue: string): Promise<boolean>;

  /**
   * Deletes the queue for good (DELETE /queues/<q>), one atomic step per slot: every message
   * (pending, leased, delayed) with its body, and every record of the queue: counter, policy,
   * status, settings, leases and attempts, dedup ids, meters, SQS records, consumer
   * registrations and the queue's inboxes where they are per queue, and its registration. The
   * queue is then unknown everywhere (listQueues, info, meters) until an enqueue creates it
   * again, counter restarting at 1: keys repeat, receipts do not (their token is random, so a
   * receipt of before is stale). False, and nothing changed, when the queue was unknown: not
   * registered and without any record.
   */
  deleteQueue(queue: string): Promise<boolean>;

  /** Names of every registered queue, sorted. */
  listQueues(): Promise<string[]>;

  /** Length, status and policy of each queue, in the order asked. */
  info(queues: readonly string[]): Promise<QueueInfo[]>;

  getPolicy(queue: string): Promise<Policy | null>;
  setPolicy(queue: string, policy: Policy): Promise<void>;
  getStatus(queue: string): Promise<QueueStatus | null>;
  setStatus(queue: string, status: QueueStatus): Promise<void>;

  /** Resolves when the store answers; rejects with STORE_UNAVAILABLE otherwise. */
  ping(): Promise<void>;

  /** Releases connections, locks and timers. Idempotent. */
  close(): Promise<void>;
}
