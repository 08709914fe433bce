/**
 * Activity: per-queue counters of what the broker did (enqueued, delivered, acked...), kept in
 * memory by this process. The metrics route exports them as Prometheus counters and the
 * dashboard turns them into rates. Counters only grow; readers take differences.
 *
 * Bounded, since any client may name a new queue with every request: a queue not counted for
 * `idleMs`, or the least recently counted one beyond `maxQueues`, loses its counters (and so
 * does a deleted queue, at once). Its counters start again from zero if it is used again: a
 * counter reset, which Prometheus' rate() and the dashboard's differences take in their stride.
 * What a forgotten queue counted stays in the totals.
 */

import type { TakeResult } from '../storage/contract.js';
import type { LeaseResult } from '../storage/lease-contract.js';

// Dead letters are counted by the store instead (meter-contract.ts): several store steps move
// messages there (reaping, a lease's own reaping, nack) and only the store sees each one.
export const ACTIVITY_KINDS = ['enqueued', 'delivered', 'acked', 'redelivered', 'expired', 'emptyReceives'] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** How a message left the queue: taken by a request (pull) or written to a stream (push). */
export type DeliveryMode = 'pull' | 'push';

export type QueueActivity = Record<ActivityKind, number> & { deliveredPush: number };

function zero(): QueueActivity {
  return { enqueued: 0, delivered: 0, acked: 0, redelivered: 0, expired: 0, emptyReceives: 0, deliveredPush: 0 };
}

export interface ActivityLimits {
  /** Most queues with counters at once. */
  maxQueues: number;
  /** A queue not counted for this long loses its counters (checked as other queues count). */
  idleMs: number;
}

export const DEFAULT_ACTIVITY_LIMITS: ActivityLimits = { maxQueues: 10_000, idleMs: 60 * 60_000 };

/** How stale the recency order may be: a busy queue moves to the back at most once a second. */
const RECENCY_MS = 1000;

export class Activity {
  private readonly byQueue = new Map<string, QueueActivity>();
  /** Queue → when it was last counted, least recently counted first (the eviction order). */
  private readonly counted = new Map<string, number>();
  /** What forgotten queues had counted: kept in the totals. */
  private readonly retired = zero();

  constructor(private readonly limits: ActivityLimits = DEFAULT_ACTIVITY_LIMITS) {}

  /** Adds n to a counter; `delivered` with mode 'push' also counts in deliveredPush. */
  count(queue: string, kind: ActivityKind, n = 1, mode: DeliveryMode = 'pull'): void {
    if (n <= 0) return;
    const now = Date.now();
    let entry = this.byQueue.get(queue);
    if (!entry) this.byQueue.set(queue, (entry = zero()));
    const last = this.counted.get(queue);
    if (last === undefined || now - last >= RECENCY_MS) {
      this.counted.delete(queue);
      this.counted.set(queue, now);
    }
    entry[kind] += n;
    if (kind === 'delivered' && mode === 'push') entry.deliveredPush += n;
    this.evict(now);
  }

  /** The queue was deleted: its counters go now (their counts stay in the totals). */
  forget(queue: string): void {
    const entry = this.byQueue.get(queue);
    if (entry) add(this.retired, entry);
    this.byQueue.delete(queue);
    this.counted.delete(queue);
  }

  /** How many queues have counters (bounded by maxQueues). */
  get size(): number {
    return this.byQueue.size;
  }

  /** Drops the least recently counted queues while over the cap or idle too long. */
  private evict(now: number): void {
    const { maxQueues, idleMs } = this.limits;
    for (const [queue, last] of this.counted) {
      if (this.counted.size <= maxQueues && now - last < idleMs) return;
      this.forget(queue);
    }
  }

  /** The live counters by queue (read-only use: do not modify). */
  snapshot(): ReadonlyMap<string, Readonly<QueueActivity>> {
    return this.byQueue;
  }

  /** Totals over every queue, forgotten ones included. */
  totals(): QueueActivity {
    const sum = add(zero(), this.retired);
    for (const entry of this.byQueue.values()) add(sum, entry);
    return sum;
  }
}

function add(sum: QueueActivity, entry: Readonly<QueueActivity>): QueueActivity {
  for (const k of Object.keys(sum) as (keyof QueueActivity)[]) sum[k] += entry[k];
  return sum;
}

/** Messages of a receive that had been leased before (attempts > 1): a plain take has none. */
export function redeliveries(r: TakeResult | LeaseResult): number {
  let n = 0;
  for (const m of r.messages) if ('attempts' in m && m.attempts > 1) n++;
  return n;
}
