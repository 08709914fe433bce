/**
 * presque's bookkeeping that has no place in the QueueStore: per-queue `processed` and
 * `failed` counters, the uniq tokens this broker handed out, and the worker registry
 * (`X-presque-workerid`). It lives in memory, per broker process: with several brokers on
 * one store each reports its own share, and a restart resets it. Summing across brokers
 * (keeping these in the store) is a later step.
 *
 * Bounded, as anyone may name new queues and tokens: per-queue counters keep the MAX_QUEUES
 * most recently counted queues; a uniq token is kept only as long as the store's dedup window
 * (after it the store hands out a new key anyway), and at most MAX_TOKENS of them. A deleted
 * queue's counters, tokens and worker registrations go at once.
 */
import { DEDUP_SECONDS } from '../../core/enqueue-options.js';

const MAX_QUEUES = 10_000;
const MAX_TOKENS = 100_000;

/** Adds n to `queue`'s count, moving it to the back (most recent) and dropping the oldest. */
function bump(counts: Map<string, number>, queue: string, n: number): void {
  const before = counts.get(queue) ?? 0;
  counts.delete(queue);
  counts.set(queue, before + n);
  if (counts.size > MAX_QUEUES) counts.delete(counts.keys().next().value!);
}

export interface WorkerStats {
  processed: number;
  failed: number;
}

export class PresqueState {
  private readonly processed = new Map<string, number>();
  private readonly failed = new Map<string, number>();
  /** `<queue>\n<token>` → the key the store gave the first job with that token, and when
   *  (epoch ms); oldest first. */
  private readonly uniq = new Map<string, { key: string; at: number }>();
  /** worker id → the queues it registered on. */
  private readonly workers = new Map<string, Set<string>>();
  private readonly workerStats = new Map<string, WorkerStats>();

  countProcessed(queue: string, n: number, worker: string | undefined): void {
    if (n <= 0) return;
    bump(this.processed, queue, n);
    const w = worker === undefined ? undefined : this.workerStats.get(worker);
    if (w) w.processed += n;
  }

  countFailed(queue: string, worker: string | undefined): void {
    bump(this.failed, queue, 1);
    const w = worker === undefined ? undefined : this.workerStats.get(worker);
    if (w) w.failed += 1;
  }

  counters(queue: string): WorkerStats {
    return { processed: this.processed.get(queue) ?? 0, failed: this.failed.get(queue) ?? 0 };
  }

  /** A purge clears the queue's counters and tokens (presque: HDEL processed/failed, DEL uniq). */
  purged(queue: string): void {
    this.processed.delete(queue);
    this.failed.delete(queue);
    for (const k of this.uniq.keys()) if (k.startsWith(queue + '\n')) this.uniq.delete(k);
  }

  /**
   * Records the key the store answered for an enqueue with a uniq token. The store's dedup is
   * the atomic step (one job per token); this tells the first poster (true) from a repeat
   * (false), which got the same key back. Synchronous, so racing requests on one broker see
   * exactly one `true`.
   */
  claimUniq(queue: string, token: string, key: string): boolean {
    const now = Date.now();
    for (const [k, { at }] of this.uniq) {
      if (this.uniq.size < MAX_TOKENS && now - at < DEDUP_SECONDS * 1000) break;
      this.uniq.delete(k);
    }
    const k = `${queue}\n${token}`;
    if (this.uniq.get(k)?.key === key) return false;
    this.uniq.delete(k);
    this.uniq.set(k, { key, at: now });
    return true;
  }

  /** The queue was deleted: purged, and no worker is registered on it any more. */
  deleted(queue: string): void {
    this.purged(queue);
    for (const worker of [...this.workers.keys()]) this.unregister(worker, queue);
  }

  /** How many entries the maps hold (tests check they stay bounded). */
  get sizes(): { processed: number; failed: number; uniq: number } {
    return { processed: this.processed.size, failed: this.failed.size, uniq: this.uniq.size };
  }

  /** Registering (again) resets the worker's counters, as presque does. */
  register(worker: string, queue: string): void {
    const queues = this.workers.get(worker) ?? new Set<string>();
    queues.add(queue);
    this.workers.set(worker, queues);
    this.workerStats.set(worker, { processed: 0, failed: 0 });
  }

  /** Leaves one queue; the worker and its counters go only when it is on no queue any more. */
  unregister(worker: string, queue: string): void {
    const queues = this.workers.get(worker);
    if (!queues) return;
    queues.delete(queue);
    if (queues.size === 0) {
      this.workers.delete(worker);
      this.workerStats.delete(worker);
    }
  }

  allWorkers(): string[] {
    return [...this.workers.keys()];
  }

  workersOf(queue: string): string[] {
    return [...this.workers].filter(([, qs]) => qs.has(queue)).map(([w]) => w);
  }

  worker(id: string): WorkerStats | undefined {
    const s = this.workerStats.get(id);
    return s && { ...s };
  }
}
