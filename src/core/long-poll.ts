/**
 * Long polling (`GET /q/<q>?wait=<s>`): a request that finds its queue empty or stopped
 * waits, up to 60 s, for a message (a stopped queue's messages come once it is started; a
 * wait that ends while it is still stopped says so). Waiters cost no store connection each: per queue, one loop on this
 * broker takes for the waiters in arrival order, woken by store events and by a short tick
 * (a safety net for messages that arrive without a notification).
 */
import type { TakeResult } from '../storage/contract.js';
import type { LeasedMessage, LeaseResult } from '../storage/lease-contract.js';
import type { Message } from '../wire.js';
import type { BrokerStore, Log } from './distributor.js';
import type { Activity } from './activity.js';

export const MAX_WAIT_SECONDS = 60;

interface Waiter {
  count: number;
  leaseMs: number | undefined;
  /** What the last attempt found: the queue was stopped. */
  stopped: boolean;
  resolve: (r: TakeResult | LeaseResult) => void;
  timer: NodeJS.Timeout;
}

const EMPTY: TakeResult = { messages: [], stopped: false, expired: 0 };

export class LongPoll {
  private readonly waiting = new Map<string, Waiter[]>();
  private readonly busy = new Set<string>();
  /** Queues woken while their loop was busy: it runs once more, as its last take may have
   *  come too early to see what woke it. */
  private readonly again = new Set<string>();
  private tick: NodeJS.Timeout | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  /** Called when a queue gets its first waiter here (due-waker.ts watches it then). */
  onFirstConsumer: (queue: string) => void = () => {};

  constructor(
    private readonly store: BrokerStore,
    private readonly log: Log,
    /** Counters for metrics and the dashboard, shared by the core parts. */
    private readonly activity: Activity,
    private readonly tickMs = 100,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.store.subscribe((e) => {
      if ((e.type === 'enqueued' || e.type === 'started') && this.waiting.has(e.queue)) void this.serve(e.queue);
    });
    this.tick = setInterval(() => {
      for (const queue of this.waiting.keys()) void this.serve(queue);
    }, this.tickMs).unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.tick);
    for (const [queue, waiters] of this.waiting) for (const w of waiters) this.finish(queue, w, EMPTY);
    await this.unsubscribe?.();
  }

  /** Serves the queue's waiters now (a delayed message fell due); false when none waits here. */
  wake(queue: string): boolean {
    if (!this.waiting.has(queue)) return false;
    void this.serve(queue);
    return true;
  }

  /** Requests waiting, by queue (the queue overview shows them as `poll` consumers). */
  waitingByQueue(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [queue, waiters] of this.waiting) counts.set(queue, waiters.length);
    return counts;
  }

  /** Takes (or leases) at once; when nothing is there, waits up to `waitMs` for a message. */
  async take(queue: string, count: number, waitMs: number, leaseMs?: number, signal?: AbortSignal): Promise<TakeResult | LeaseResult> {
    const first = await this.attempt(queue, count, leaseMs);
    if (first.messages.length > 0 || waitMs <= 0) return first;
    return new Promise((resolve) => {
      const waiter: Waiter = {
        count,
        leaseMs,
        stopped: first.stopped,
        resolve,
        timer: setTimeout(() => this.finish(queue, waiter, { ...EMPTY, stopped: waiter.stopped }), waitMs),
      };
      const list = this.waiting.get(queue) ?? [];
      list.push(waiter);
      this.waiting.set(queue, list);
      if (list.length === 1) this.onFirstConsumer(queue);
      signal?.addEventListener('abort', () => this.finish(queue, waiter, EMPTY), { once: true });
    });
  }

  private async attempt(queue: string, count: number, leaseMs: number | undefined): Promise<TakeResult | LeaseResult> {
    const r = await (leaseMs === undefined ? this.store.take(queue, count) : this.store.lease(queue, count, leaseMs));
    this.activity.count(queue, 'expired', r.expired);
    return r;
  }

  private finish(queue: string, waiter: Waiter, result: TakeResult | LeaseResult): void {
    const list = this.waiting.get(queue);
    const i = list?.indexOf(waiter) ?? -1;
    if (i < 0) return;
    list!.splice(i, 1);
    if (list!.length === 0) this.waiting.delete(queue);
    clearTimeout(waiter.timer);
    waiter.resolve(result);
  }

  /** Serves the queue's waiters in order until it runs dry; one loop per queue at a time. */
  private async serve(queue: string): Promise<void> {
    if (this.busy.has(queue)) {
      this.again.add(queue);
      return;
    }
    this.busy.add(queue);
    try {
      for (let w = this.waiting.get(queue)?.[0]; w; w = this.waiting.get(queue)?.[0]) {
        const r = await this.attempt(queue, w.count, w.leaseMs);
        if (r.messages.length === 0) {
          for (const waiter of this.waiting.get(queue) ?? []) waiter.stopped = r.stopped;
          break;
        }
        if (this.waiting.get(queue)?.[0] === w) this.finish(queue, w, r);
        else await this.giveBack(queue, r);
      }
    } catch (err) {
      this.log.warn({ err, queue }, 'long poll: taking failed; retrying on the next tick');
    } finally {
      this.busy.delete(queue);
      if (this.again.delete(queue) && this.waiting.has(queue)) void this.serve(queue);
    }
  }

  /** The waiter left (timeout or client gone) while its take was in flight: undo it. */
  private async giveBack(queue: string, r: TakeResult | LeaseResult): Promise<void> {
    const leased = (r.messages as (Message | LeasedMessage)[]).filter((m): m is LeasedMessage => 'receipt' in m);
    if (leased.length > 0) for (const m of leased) await this.store.nack(queue, m.receipt, 0);
    else await this.store.requeue(queue, r.messages);
  }
}
