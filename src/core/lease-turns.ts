/**
 * The roundrobin turns of leased consumers (see distributor.ts): each turn is leased straight
 * from the inbox to its consumer, up to its room (lease-streams.ts); the rest goes back.
 */
import type { Message } from '../wire.js';
import type { LeasedMessage } from '../storage/lease-contract.js';
import type { Consumer } from './consumer.js';
import { type Activity, redeliveries } from './activity.js';
import type { BrokerStore } from './distributor-api.js';

/** Roundrobin turns of leased consumers in one inbox read: whose turn, and its message. */
export interface Turns {
  consumers: Consumer[];
  messages: Message[];
}

export class LeaseTurns {
  constructor(
    private readonly store: BrokerStore,
    /** Counters for metrics and the dashboard, shared by the core parts. */
    private readonly activity: Activity,
    /** Leased consumers by `<queue>\n<receipt>` of each message they hold (the distributor's). */
    private readonly holders: Map<string, Consumer>,
  ) {}

  /**
   * The roundrobin turns of leased consumers, in inbox order: each message is leased straight
   * to the consumer whose turn it is, while it has room. A turn its consumer has no room for
   * goes back to the front of the queue, announced, for any broker to dispatch again. A
   * message the store no longer has as dispatched (a reaper returned this inbox) is skipped:
   * it is back in its queue.
   */
  async leaseTurns(queue: string, t: Turns): Promise<void> {
    const room = new Map<Consumer, number>();
    const byLease = new Map<number, { c: Consumer; message: Message }[]>();
    const back: Message[] = [];
    t.consumers.forEach((c, i) => {
      const message = t.messages[i]!;
      const left = room.get(c) ?? (c.hasRoom ? c.holdings!.room : 0);
      room.set(c, Math.max(0, left - 1));
      if (left <= 0) {
        back.push(message);
        return;
      }
      const group = byLease.get(c.holdings!.leaseMs) ?? [];
      group.push({ c, message });
      byLease.set(c.holdings!.leaseMs, group);
    });
    for (const [leaseMs, group] of byLease) {
      const messages = await this.store.leaseDispatched(queue, group.map((g) => g.message), leaseMs);
      this.activity.count(queue, 'redelivered', redeliveries({ messages, stopped: false, expired: 0 }));
      const leased = new Map(messages.map((m) => [m.key, m]));
      let pushed = 0;
      const orphans: LeasedMessage[] = [];
      for (const { c, message: { key } } of group) {
        const message = leased.get(key);
        if (!message) continue;
        leased.delete(key);
        if (c.closed) orphans.push(message);
        else {
          c.holdings!.hold(message.receipt);
          this.holders.set(`${queue}\n${message.receipt}`, c);
          c.deliver({ message, queue, copiesOf: { total: 1, failed: 0, copies: 1 } });
          pushed++;
        }
      }
      this.activity.count(queue, 'delivered', pushed, 'push');
      await this.nackAll(queue, orphans.map((m) => m.receipt));
    }
    if (back.length > 0) await this.store.requeue(queue, back);
  }

  /** Newest first: each nack goes to the front, so the oldest ends up first again. */
  async nackAll(queue: string, receipts: readonly string[]): Promise<void> {
    for (const r of [...receipts].reverse()) await this.store.nack(queue, r, 0);
  }
}
