/**
 * StoreEvents over sharded pub/sub (SPUBLISH / SSUBSCRIBE), so an event travels only inside the
 * shard that owns its queue: `{q}:events` for the events of queue q (the cluster scripts publish
 * "e <q>" and "w <broker>" there themselves), restmq:events for those that name no queue. A
 * broker hears the queues it watches: those it registers streaming consumers on (the only ones
 * whose events it acts on) and those it publishes about. Payloads as redis-events.ts; events are hints, as there.
 * The listeners and the subscriber's life are subscriber-events.ts.
 */
import { Cluster } from 'ioredis';
import type { StoreEvent } from '../stream-contract.js';
import { clusterKeys, clusterQueueOf } from './keys.js';
import { decodeEvent, encodeEvent } from './redis-events.js';
import { SubscriberEvents } from './subscriber-events.js';
import type { Run } from './redis-errors.js';

const channelOf = (e: StoreEvent) => (e.type === 'wake' ? clusterKeys.brokerEvents : clusterKeys.events(e.queue));

export class ClusterEvents extends SubscriberEvents<Cluster> {
  private readonly channels = new Set<string>([clusterKeys.brokerEvents]);
  /** Called with the queue of every wake on a queue's channel (cluster-stream.ts reads that inbox). */
  onWake: (queue: string) => void = () => {};

  constructor(
    private readonly cluster: Cluster,
    run: Run,
  ) {
    super(run);
  }

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

  protected async closeSubscriber(sub: Cluster): Promise<void> {
    await sub.quit().catch(() => sub.disconnect());
  }

  protected async connect(): Promise<Cluster> {
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
    return this.opened(sub, async () => {
      // One SSUBSCRIBE per channel: the channels of one call must share a slot.
      for (const channel of this.channels) await sub.ssubscribe(channel);
    });
  }
}
