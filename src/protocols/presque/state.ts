/**
 * presque's bookkeeping that has no place in the QueueStore: per-queue `processed` and
 * `failed` counters, the uniq tokens this broker handed out, and the worker registry
 * (`X-presque-workerid`). It lives in memory, per broker process: with several brokers on
 * one store each reports its own share, and a restart resets it. Summing across brokers
 * (keeping these in the store) is a later step.
 */
export interface WorkerStats {
  processed: number;
  failed: number;
}

export class PresqueState {
  private readonly processed = new Map<string, number>();
  private readonly failed = new Map<string, number>();
  /** `<queue>\n<token>` → the key the store gave the first job with that token. */
  private readonly uniq = new Map<string, string>();
  /** worker id → the queues it registered on. */
  private readonly workers = new Map<string, Set<string>>();
  private readonly workerStats = new Map<string, WorkerStats>();

  countProcessed(queue: string, n: number, worker: string | undefined): void {
    if (n <= 0) return;
    this.processed.set(queue, (this.processed.get(queue) ?? 0) + n);
    const w = worker === undefined ? undefined : this.workerStats.get(worker);
    if (w) w.processed += n;
  }

  countFailed(queue: string, worker: string | undefined): void {
    this.failed.set(queue, (this.failed.get(queue) ?? 0) + 1);
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
    const k = `${queue}\n${token}`;
    if (this.uniq.get(k) === key) return false;
    this.uniq.set(k, key);
    return true;
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
