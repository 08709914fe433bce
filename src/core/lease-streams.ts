/**
 * At-least-once streaming (`/ws/<q>?lease=<s>`, `/sse/<q>?lease=<s>`): each message is leased
 * to one streaming consumer (consumers of a queue share its messages, in rotation) and stays
 * in the store until the client acknowledges its receipt (a WebSocket `ack` frame or
 * `DELETE /q/<q>/<receipt>`). Unacknowledged messages come back when the lease ends; what a
 * consumer could not write is given back at once.
 */
import { BrokerError } from '../errors.js';
import { Consumer, type ConsumerInfo, type ConsumerLimits, type ConsumerSink, type EndReason, type Handed, type Transport } from './consumer.js';
import type { BrokerStore, Log } from './distributor.js';
import type { LeasedMessage } from '../storage/lease-contract.js';
import { Activity, redeliveries } from './activity.js';

export interface LeaseStreamOptions extends ConsumerLimits {
  /** Messages leased per round trip for one consumer. */
  batch: number;
  /** Safety tick for messages that arrive without a notification. */
  tickMs: number;
}

interface Leasing {
  consumer: Consumer;
  leaseMs: number;
}

export class LeaseStreams {
  private readonly byQueue = new Map<string, Leasing[]>();
  private readonly busy = new Set<string>();
  private tick: NodeJS.Timeout | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;
  private stopped = false;
  /** Counters for metrics and the dashboard; the composition root shares one among all parts. */
  activity = new Activity();

  constructor(
    private readonly store: BrokerStore,
    private readonly log: Log,
    private readonly options: LeaseStreamOptions,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = await this.store.subscribe((e) => {
      if (e.type === 'wake') return;
      if (e.type === 'closed') for (const l of [...(this.byQueue.get(e.queue) ?? [])]) this.remove(l, l.consumer.close('deleted'), 'deleted');
      else if (this.byQueue.has(e.queue)) void this.serve(e.queue);
    });
    this.tick = setInterval(() => {
      for (const queue of this.byQueue.keys()) void this.serve(queue);
    }, this.options.tickMs).unref();
  }

  attach(queue: string, transport: Transport, sink: ConsumerSink, leaseMs: number, remote = ''): Consumer {
    if (this.stopped) throw new BrokerError('SHUTTING_DOWN');
    const leasing: Leasing = {
      leaseMs,
      consumer: new Consumer(queue, transport, sink, this.options, (_c, unwritten) => this.remove(leasing, unwritten, 'overflow'), () => void this.serve(queue)),
    };
    leasing.consumer.remote = remote;
    const list = this.byQueue.get(queue) ?? [];
    list.push(leasing);
    this.byQueue.set(queue, list);
    void this.serve(queue);
    return leasing.consumer;
  }

  detach(consumer: Consumer, reason: EndReason = 'client'): void {
    const leasing = this.byQueue.get(consumer.queue)?.find((l) => l.consumer === consumer);
    if (leasing) this.remove(leasing, consumer.close(reason), reason);
  }

  /** Calls `fn` for each leased-stream consumer on this broker (the queue overview counts them). */
  eachConsumer(fn: (queue: string, transport: Transport) => void): void {
    for (const [queue, list] of this.byQueue) for (const l of list) fn(queue, l.consumer.transport);
  }

  /** Leased-stream consumers of one queue on this broker. */
  countOf(queue: string): number {
    return this.byQueue.get(queue)?.length ?? 0;
  }

  /** This broker's leased-stream consumers (for the dashboard). */
  consumers(): ConsumerInfo[] {
    const list: ConsumerInfo[] = [];
    for (const leasings of this.byQueue.values()) {
      for (const { consumer: c } of leasings) list.push({ id: c.id, queue: c.queue, transport: c.transport, remote: c.remote, since: c.since, leased: true });
    }
    return list;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.tick);
    for (const list of [...this.byQueue.values()]) for (const l of [...list]) this.remove(l, l.consumer.close('shutdown'), 'shutdown');
    await this.unsubscribe?.();
  }

  /** Leases for the queue's consumers with room, one batch each in turn, until it runs dry. */
  private async serve(queue: string): Promise<void> {
    if (this.busy.has(queue) || this.stopped) return;
    this.busy.add(queue);
    try {
      for (let progress = true; progress; ) {
        progress = false;
        for (const l of [...(this.byQueue.get(queue) ?? [])]) {
          if (!l.consumer.hasRoom) continue;
          const r = await this.store.lease(queue, this.options.batch, l.leaseMs);
          this.activity.count(queue, 'expired', r.expired);
          if (r.messages.length === 0) return;
          if (l.consumer.closed) {
            await this.giveBack(queue, r.messages);
            continue;
          }
          for (const message of r.messages) l.consumer.deliver({ message, queue, copiesOf: { total: 1, failed: 0, copies: 1 } });
          this.activity.count(queue, 'delivered', r.messages.length, 'push');
          this.activity.count(queue, 'redelivered', redeliveries(r));
          progress = true;
        }
      }
    } catch (err) {
      this.log.warn({ err, queue }, 'leased streaming: leasing failed; retrying on the next tick');
    } finally {
      this.busy.delete(queue);
    }
  }

  /** What a consumer never wrote goes back at once (nack), not when its lease ends. */
  private remove(leasing: Leasing, unwritten: Handed[], reason: EndReason): void {
    const queue = leasing.consumer.queue;
    const list = this.byQueue.get(queue);
    const i = list?.indexOf(leasing) ?? -1;
    if (i >= 0) list!.splice(i, 1);
    if (list && list.length === 0) this.byQueue.delete(queue);
    if (reason === 'deleted' || unwritten.length === 0) return;
    void this.giveBack(queue, unwritten.map((h) => h.message as LeasedMessage)).catch((err: unknown) => this.log.warn({ err, queue }, 'returning leased messages failed; their leases will end'));
  }

  private async giveBack(queue: string, messages: readonly LeasedMessage[]): Promise<void> {
    for (const m of messages) await this.store.nack(queue, m.receipt, 0);
  }
}
