/**
 * The queues a Redis store has registered itself (SADD QUEUESET and status SET NX, done by
 * enqueue-9.lua and, when asked, by enqueuelean-6.lua), so a plain enqueue need not do it again.
 * The registration is per queue, not per message, and the original layout needs it to exist.
 *
 * What keeps it right: a queue deleted by any broker of ours loses its counter with its
 * registration, and enqueuelean-6.lua registers again whenever the counter starts at 1; a
 * delete or unregister through this store forgets the queue first, and an enqueue that was
 * already under way then (sent before, answered after) does not mark it again (the epoch).
 * Anything else that drops a registration but keeps the counter (a hand-made SREM, the
 * original's JSON `del` of QUEUESET) is repaired by the next enqueue once the mark is
 * REFRESH_MS old, as enqueue-9.lua repairs it on every enqueue. Past MAX_QUEUES marks the set
 * starts empty again, which costs one registration per queue.
 */
const REFRESH_MS = 10_000;
const MAX_QUEUES = 10_000;

export interface Mark {
  /** Registered by this store less than REFRESH_MS ago: the enqueue may skip it. */
  known: boolean;
  /** Call once the enqueue succeeded; with known false it registered the queue. */
  done(): void;
}

export class RegisteredQueues {
  /** queue → Date.now() of its registration. */
  readonly #since = new Map<string, number>();
  /** Bumped by every forget: a mark taken before it is void. */
  #epoch = 0;

  mark(queue: string): Mark {
    const epoch = this.#epoch;
    const now = Date.now();
    const at = this.#since.get(queue);
    const known = at !== undefined && now - at < REFRESH_MS;
    return {
      known,
      done: () => {
        if (known || epoch !== this.#epoch) return;
        if (this.#since.size >= MAX_QUEUES) this.#since.clear();
        this.#since.set(queue, now);
      },
    };
  }

  forget(queue: string): void {
    this.#epoch++;
    this.#since.delete(queue);
  }
}
