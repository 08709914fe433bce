/**
 * Enqueues this broker followed at once by its own dispatch (Distributor.enqueueSent): their
 * announcements carry no news, and acting on one would cost an empty dispatch per message.
 *
 * Why skipping is safe: the store runs the dispatch right after the enqueue (the same Redis
 * connection in order, or the same SQLite group commit), so that dispatch covers the enqueue
 * and everything announced before it. Announcements arrive in the order the store made them,
 * and each such enqueue announces once. Counting one skip per pipelined dispatch, the count is
 * never above the number of those enqueues whose announcement has not arrived yet, so an
 * announcement skipped while the count is positive came before one of them: covered.
 * An enqueue that announces nothing (it failed, or the consumer's registration had lapsed)
 * leaves a count too high; the safety poll clears the counts, so the worst case is the wait
 * for that poll, as for any lost event.
 */
export class OwnEnqueues {
  private readonly pending = new Map<string, number>();

  /** A dispatch of `queue` was sent right behind this broker's enqueue of it. */
  sent(queue: string): void {
    this.pending.set(queue, (this.pending.get(queue) ?? 0) + 1);
  }

  /** True when this announcement of `queue` is covered by such a dispatch (and so consumed). */
  absorb(queue: string): boolean {
    const n = this.pending.get(queue);
    if (n === undefined) return false;
    if (n <= 1) this.pending.delete(queue);
    else this.pending.set(queue, n - 1);
    return true;
  }

  clear(): void {
    this.pending.clear();
  }
}
