/**
 * The SQLite store's notifier. A file has exactly one broker (the exclusive lock), so every
 * event stays in this process: a set of listeners, each called in its own microtask so a
 * publisher is never re-entered by a listener and one throwing listener does not silence the
 * others.
 */
import type { StoreEvent } from '../stream-contract.js';

type Listener = (event: StoreEvent) => void;

export class Notifier {
  /** One entry per subscribe call, so the same function subscribed twice is called twice. */
  readonly #subs = new Set<{ listener: Listener }>();

  publish(event: StoreEvent): void {
    for (const sub of this.#subs) {
      // Checked again at delivery: an unsubscribe takes effect for events not yet delivered.
      queueMicrotask(() => {
        if (this.#subs.has(sub)) sub.listener({ ...event });
      });
    }
  }

  subscribe(listener: Listener): () => void {
    const sub = { listener };
    this.#subs.add(sub);
    return () => void this.#subs.delete(sub);
  }

  clear(): void {
    this.#subs.clear();
  }
}
