/**
 * StoreEvents over sharded pub/sub (SPUBLISH / SSUBSCRIBE), so an event travels only inside the
 * shard that owns its queue: `{q}:events` for the events of queue q (the cluster scripts publish
 * "e <q>" and "w <broker>" there themselves), restmq:events for those that name no queue. A
 * broker hears the queues it watches: those it registers streaming consumers on (the only ones
 * whose events it acts on) and those it publishes about. Payloads as redis-events.ts; events are hints, as there.
 */
import { Cluster } from 'ioredis';
import { BrokerError } from '../../errors.js';
import type { StoreEvent } from '../stream-contract.js';
import { clusterKeys, clusterQueueOf } from './keys.js';
import { decodeEvent, encodeEvent } from './redis-events.js';

type Listener = (event: StoreEvent) => void;
type Run = <T>(call: () => Promise<T>) => Promise<T>;

const channelOf = (e: StoreEvent) => (e.type === 'wake' ? clusterKeys.brokerEvents : clusterKeys.events(e.queue));

export class ClusterEvents {
  private readonly subs = new Set<{ listener: Listener }>();
  private readonly channels = new Set<string>([clusterKeys.brokerEvents]);
  private subscriber: Promise<Cluster> | undefined;
  private closed = false;
  /** Called with the queue of every wake on a queue's channel (cluster-stream.ts reads that inbox). */
  onWake: (queue: string) => void = () => {};

  constructor(
    private readonly cluster: Cluster,
    private readonly run: Run,
  ) {}

  /** The publisher watches the queue first: a broker hears its own events, as on one Redis. */
  async publish(event: StoreEvent): Promise<void> {
    // Hearing its own event is a nicety: a failed subscription does not fail the publish.
    if (event.type !== 'wake') await this.watch(event.queue).catch(() => undefined);
    await this.run(() => this.cluster.spublish(channelOf(event), encodeEvent(event)));
  }

  /** Listens to queue `q`'s channel from now on (when subscribed). */
  async watch(queue: string): Promise<void> {
    const channel = clusterKeys.events(queue);
    if (this.channels.has(channel)) return;
    this.channels.add(channel);
    const sub = await this.subscriber?.catch(() => undefined);
    try {
      if (sub) await this.run(() => sub.ssubscribe(channel));
    } catch (err) {
      // A later watch tries again.
      this.channels.delete(channel);
      throw err;
    }
  }

  /** Stops listening to queue `q`'s channel. */
  async unwatch(queue: string): Promise<void> {
    const channel = clusterKeys.events(queue);
    if (!this.channels.delete(channel)) return;
    const sub = await this.subscriber?.catch(() => undefined);
    if (sub) await this.run(() => sub.sunsubscribe(channel));
  }

  async subscribe(listener: Listener): Promise<() => Promise<void>> {
    if (this.closed) throw new BrokerError('STORE_UNAVAILABLE');
    const connecting = (this.subscriber ??= this.connect());
    try {
      await this.run(() => connecting);
    } catch (err) {
      if (this.subscriber === connecting) this.subscriber = undefined;
      throw err;
    }
    const sub = { listener };
    this.subs.add(sub);
    return async () => void this.subs.delete(sub);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subs.clear();
    const connecting = this.subscriber;
    this.subscriber = undefined;
    const sub = await connecting?.catch(() => undefined);
    await sub?.quit().catch(() => sub.disconnect());
  }

  private async connect(): Promise<Cluster> {
    // Its own Cluster client: sharded subscriptions hold a connection per shard.
    const sub = this.cluster.duplicate(undefined, { shardedSubscribers: true, lazyConnect: true, enableOfflineQueue: true });
    sub.on('error', () => {});
    sub.on('smessage', (channel: string, payload: string) => {
      if (!this.channels.has(channel)) return;
      const event = decodeEvent(payload);
      if (!event) return;
      const queue = clusterQueueOf(channel);
      if (event.type === 'wake' && queue !== undefined) this.onWake(queue);
      this.deliver(event);
    });
    try {
      await sub.connect();
      // One SSUBSCRIBE per channel: the channels of one call must share a slot.
      for (const channel of this.channels) await sub.ssubscribe(channel);
    } catch (err) {
      sub.disconnect();
      throw err;
    }
    if (this.closed) {
      sub.disconnect();
      throw new BrokerError('STORE_UNAVAILABLE');
    }
    return sub;
  }

  private deliver(event: StoreEvent): void {
    for (const sub of this.subs) {
      queueMicrotask(() => {
        if (this.subs.has(sub)) sub.listener({ ...event });
      });
    }
  }
}
