/**
 * Activity: per-queue counters of what the broker did (enqueued, delivered, acked...), kept in
 * memory by this process. The metrics route exports them as Prometheus counters and the
 * dashboard turns them into rates. Counters only grow; readers take differences.
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

export class Activity {
  private readonly byQueue = new Map<string, QueueActivity>();

  /** Adds n to a counter; `delivered` with mode 'push' also counts in deliveredPush. */
  count(queue: string, kind: ActivityKind, n = 1, mode: DeliveryMode = 'pull'): void {
    if (n <= 0) return;
    let entry = this.byQueue.get(queue);
    if (!entry) this.byQueue.set(queue, (entry = zero()));
    entry[kind] += n;
    if (kind === 'delivered' && mode === 'push') entry.deliveredPush += n;
  }

  /** The live counters by queue (read-only use: do not modify). */
  snapshot(): ReadonlyMap<string, Readonly<QueueActivity>> {
    return this.byQueue;
  }

  /** Totals over every queue. */
  totals(): QueueActivity {
    const sum = zero();
    for (const entry of this.byQueue.values()) for (const k of Object.keys(sum) as (keyof QueueActivity)[]) sum[k] += entry[k];
    return sum;
  }
}

/** Messages of a receive that had been leased before (attempts > 1): a plain take has none. */
export function redeliveries(r: TakeResult | LeaseResult): number {
  let n = 0;
  for (const m of r.messages) if ('attempts' in m && m.attempts > 1) n++;
  return n;
}
