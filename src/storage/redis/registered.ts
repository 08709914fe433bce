/**
 * The queues a Redis store has registered itself (SADD QUEUESET and status SET NX, done by
 * enqueue-9.lua and, when asked, by enqueuelean-6.lua), so a plain enqueue need not do it again.
 * The registration is per queue, not per message, and the original layout needs it to exist.
 *
 * What keeps it right: a queue deleted by any broker of ours loses its counter with its
 * registration, and enqueuelean-6.lua registers again whenever the counter starts at 1; a
 * delete or unregister through this store forgets the queue first, and an enqueue that was
 * already under way then (sent before, answered after) does not mark it again (the epoch).
 * The set is bounded: past MAX_QUEUES it starts empty again, which costs one registration
 * per queue.
 */
const MAX_QUEUES = 10_000;

export class RegisteredQueues {
  readonly #known = new Set<string>();
  /** Bumped by every forget: a mark taken before it is void. */
  #epoch = 0;

  /** Whether `queue` is known registered now, and `done()` to call once the enqueue that
   *  registers it (or finds it registered) has succeeded. */
  mark(queue: string): { known: boolean; done: () => void } {
    const epoch = this.#epoch;
    return {
      known: this.#known.has(queue),
      done: () => {
        if (epoch !== this.#epoch) return;
        if (this.#known.size >= MAX_QUEUES) this.#known.clear();
        this.#known.add(queue);
      },
    };
  }

  forget(queue: string): void {
    this.#epoch++;
    this.#known.delete(queue);
  }
}
