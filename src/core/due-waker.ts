/**
 * Delayed messages on time: wakes this broker's consumers of a queue (streams and long polls,
 * leased or not) when a delayed message of it falls due, by the same path an enqueue takes,
 * instead of at the next safety poll or reaper run. Per queue one timer, for the earliest due
 * time this broker knows of: from `delayed` events (every broker's delayed enqueues) and from
 * the store (promoteDue), asked when a queue first gets a consumer here and after each timer,
 * so a message delayed before this broker listened is on time too. Reads of the queue make due
 * messages ready themselves (contract.ts enqueue), so waking is all that is left to do here.
 */
import type { QueueStore } from '../storage/contract.js';
import type { StreamStore } from '../storage/stream-contract.js';
import type { Log } from './distributor.js';

/** Something that serves consumers of queues (the distributor, long polls). */
export interface Wakeable {
  /** Serves `queue`'s consumers now, as after an enqueue; false when it has none of it. */
  wake(queue: string): boolean;
}

/** Bounds the memory of queues nobody came back to. */
const MAX_MISSED = 10_000;

type DueStore = Pick<QueueStore, 'promoteDue'> & Pick<StreamStore, 'subscribe'>;

export class DueWaker {
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  /** Queues whose store check is in flight: one at a time each. */
  private readonly checking = new Set<string>();
  /** Queues whose timer fired while nobody here waited on them: a long poll may have looked
   *  just before the message was due and started waiting just after, so its watch wakes it. */
  private readonly missed = new Set<string>();
  private unsubscribe: (() => Promise<void>) | undefined;
  private stopped = false;

  constructor(
    private readonly store: DueStore,
    private readonly targets: readonly Wakeable[],
    private readonly log: Log,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.store.subscribe((e) => {
      if (e.type === 'delayed') this.dueIn(e.queue, e.inMs);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await this.unsubscribe?.();
  }

  /** A queue got its first consumer here: learn when its next delayed message is due. */
  watch(queue: string): void {
    if (this.missed.delete(queue)) for (const t of this.targets) t.wake(queue);
    void this.check(queue);
  }

  /** Keeps the earlier of the known due time and now + `inMs`. */
  private dueIn(queue: string, inMs: number): void {
    if (this.stopped) return;
    const at = Date.now() + inMs;
    const known = this.timers.get(queue);
    if (known && known.at <= at) return;
    if (known) clearTimeout(known.timer);
    this.timers.set(queue, { at, timer: setTimeout(() => this.fire(queue), Math.max(0, inMs)).unref() });
  }

  private fire(queue: string): void {
    this.timers.delete(queue);
    let wanted = false;
    for (const t of this.targets) if (t.wake(queue)) wanted = true;
    // Nobody here waits on it: forget the queue until somebody does (watch asks the store).
    if (wanted) void this.check(queue);
    else if (this.missed.size < MAX_MISSED) this.missed.add(queue);
  }

  /** Asks the store when the queue's next delayed message is due (due ones become ready). */
  private async check(queue: string): Promise<void> {
    if (this.checking.has(queue) || this.stopped) return;
    this.checking.add(queue);
    try {
      const next = await this.store.promoteDue(queue);
      if (next !== null) this.dueIn(queue, next);
    } catch (err) {
      this.log.warn({ err, queue }, 'checking delayed messages failed; the reaper moves them');
    } finally {
      this.checking.delete(queue);
    }
  }
}
