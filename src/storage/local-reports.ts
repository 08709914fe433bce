/**
 * Consumer reports kept in this process (stream-contract.ts publishConsumerReports), for a
 * store with one broker (SQLite, memory): what the Redis stores keep in Redis, with the same
 * lapse, so every store answers registeredConsumers alike.
 */
import type { ConsumerReport, RegisteredConsumer } from './browse-contract.js';

interface Published {
  at: number;
  until: number;
  byId: Map<string, ConsumerReport>;
}

export class LocalReports {
  readonly #byQueue = new Map<string, Published>();

  publish(queue: string, reports: readonly ConsumerReport[], ttlMs: number, now: number): void {
    if (reports.length === 0) this.#byQueue.delete(queue);
    else this.#byQueue.set(queue, { at: now, until: now + ttlMs, byId: new Map(reports.map((r) => [r.id, { ...r }])) });
  }

  /** `registered` with the last report of each consumer, unless it lapsed. */
  attach(queue: string, now: number, registered: RegisteredConsumer[]): RegisteredConsumer[] {
    const p = this.#byQueue.get(queue);
    if (!p) return registered;
    if (p.until <= now) {
      this.#byQueue.delete(queue);
      return registered;
    }
    return registered.map((c) => {
      const r = p.byId.get(c.consumer);
      return r ? { ...c, report: { ...r, at: p.at } } : c;
    });
  }
}
