/**
 * PresqueStore: presque's bookkeeping (originals.md B.3, B.6, B.7), kept in the store so every
 * broker on it reports the same figures and a restart forgets nothing: the per-queue
 * `processed` and `failed` counters, the worker registry with its per-worker counters, and the
 * `uniq` tokens (held while their job waits, freed when it is fetched through presque, or when
 * the queue is purged). On plain Redis the keys are presque's own (keys.ts presqueKeys), so an
 * old presque on the same Redis sees the same counters, workers and tokens.
 * A store exposes it as its `presque` property.
 */
/** How long a claimed token waits to be tied to its job before it counts as free (its
 *  claimer died between the claim and the enqueue). */
export const UNIQ_CLAIM_MS = 60_000;

export interface PresqueCounters {
  processed: number;
  failed: number;
}

export interface PresqueStore {
  /** `keys` were fetched from `queue`: counts them as processed (and to `worker`, when it is
   *  registered) and frees the uniq tokens held by those keys. */
  fetched(queue: string, keys: readonly string[], worker?: string): Promise<void>;
  /** A failure report (presque's PUT): counts one failed (and to `worker`, when registered). */
  failed(queue: string, worker?: string): Promise<void>;
  counters(queue: string): Promise<PresqueCounters>;

  /** Holds `token` on `queue` for a job about to be enqueued; false when it is already held: by
   *  a job still in the store (pending, delayed or leased), or by a claim not yet tied to its
   *  job (for UNIQ_CLAIM_MS). A token whose job left another way (a RestMQ take, its TTL) is free. */
  claimUniq(queue: string, token: string): Promise<boolean>;
  /** Ties a held token to its job's key; frees it at once when that job is already gone. */
  bindUniq(queue: string, token: string, key: string): Promise<void>;
  /** Frees a token whose job was never enqueued. */
  dropUniq(queue: string, token: string): Promise<void>;
  /** The queue was purged: its counters and tokens go (its workers stay). */
  purged(queue: string): Promise<void>;

  /** Registers `worker` on `queue`; (re)registering resets its counters, as presque does. */
  register(worker: string, queue: string): Promise<void>;
  /** Leaves `queue`; the worker and its counters go once it is on no queue any more. */
  unregister(worker: string, queue: string): Promise<void>;
  /** Registered workers, sorted: every one, or those of `queue`. */
  workers(queue?: string): Promise<string[]>;
  /** A registered worker's counters; null when it is not registered. */
  worker(id: string): Promise<PresqueCounters | null>;
}

/** What a store offers for presque. */
export interface PresqueHolder {
  readonly presque: PresqueStore;
}
