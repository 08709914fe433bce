/**
 * A short-lived cache of which queues exist and their SQS records, for the message actions.
 * Without it every SendMessage, ReceiveMessage and DeleteMessage reads the queue's record from
 * the store first (and, for a queue made by RestMQ with no record, lists every queue): one more
 * store round trip per request than the REST routes pay. Records change rarely, and SQS itself
 * says attribute changes and deletes take up to a minute to be seen everywhere; here a change
 * made on this broker is seen at once, one made on another broker within RECORD_TTL_MS.
 * Only found queues are cached: a queue created anywhere is usable at once.
 */
import type { QueueService } from '../../core/queue-service.js';
import type { QueueRecord } from './queue-attributes.js';

export const RECORD_TTL_MS = 1000;
/** Bounds the cache with many queues; the oldest entries go first. */
const MAX_ENTRIES = 10_000;

interface Entry {
  record: QueueRecord | null;
  at: number;
}

class RecordCache {
  private readonly entries = new Map<string, Entry>();
  /** Bumped by every forget: a read that began before one must not cache what it found. */
  private generation = 0;

  /** Taken before a store read; `set` ignores the result if anything was forgotten since. */
  mark(): number {
    return this.generation;
  }

  get(queue: string, now: number): Entry | undefined {
    const e = this.entries.get(queue);
    if (e && now - e.at < RECORD_TTL_MS) return e;
    if (e) this.entries.delete(queue);
    return undefined;
  }

  set(queue: string, record: QueueRecord | null, now: number, mark: number): void {
    if (mark !== this.generation) return;
    this.entries.delete(queue);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(queue, { record, at: now });
  }

  forget(queue: string): void {
    this.generation++;
    this.entries.delete(queue);
  }
}

const caches = new WeakMap<QueueService, RecordCache>();

/** The cache of one broker (one QueueService); a queue this broker deletes is forgotten at once. */
export function recordCache(service: QueueService): RecordCache {
  let cache = caches.get(service);
  if (!cache) {
    const made = new RecordCache();
    service.onDeleted((queue) => made.forget(queue));
    caches.set(service, made);
    cache = made;
  }
  return cache;
}
