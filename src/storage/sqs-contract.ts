/**
 * SqsStore: what the SQS API keeps beside the queues (src/protocols/sqs). Both records are
 * opaque JSON to the store, but for the string `g` of a message's record: its message group,
 * which a FIFO queue's lease reads (lease-contract.ts).
 * - Message metadata (message attributes, system attributes, the SQS message id and send time)
 *   lives and dies with its message: written in the same atomic step as the enqueue, removed by
 *   every step that removes the body (take, ack, purge, remove, expiry), carried along when the
 *   message is dead-lettered or redriven, and when it is dispatched to a stream: the inbox item
 *   holds it until the message is written (then it goes) or handed back (stream-contract.ts).
 * - Queue metadata (the SQS queue attributes and tags) is one record per queue.
 */
import type { EnqueueOptions } from './contract.js';

export interface SqsStore {
  /** Enqueues one value with its metadata, atomically; returns its key (with a dedup hit: the
   *  first message's key, and nothing is written). */
  enqueueWithMeta(queue: string, value: string, meta: string, options?: EnqueueOptions): Promise<string>;
  /** The metadata of messages of `queue` by key; null for a message that has none. */
  messageMeta(queue: string, keys: readonly string[]): Promise<(string | null)[]>;
  /** Replaces the metadata of messages by key, only of those that still exist and have some
   *  (a message deleted meanwhile gets none back). */
  updateMessageMeta(queue: string, entries: readonly (readonly [key: string, meta: string])[]): Promise<void>;
  getQueueMeta(queue: string): Promise<string | null>;
  /** Replaces the queue's record; null deletes it. */
  setQueueMeta(queue: string, meta: string | null): Promise<void>;
  /** Adds the queue to the registry (what listQueues returns) before it has any message, as
   *  its first enqueue would (status started unless one is stored). */
  registerQueue(queue: string): Promise<void>;
  /** Drops the queue from the registry (what listQueues returns); its messages must be purged first. */
  unregisterQueue(queue: string): Promise<void>;
}
