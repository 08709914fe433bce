/**
 * What both pub/sub event classes share (redis-events.ts on one Redis, cluster-events.ts over
 * sharded pub/sub): the listeners, one subscriber connection opened on the first subscribe and
 * closed by close(), and delivery. Each subclass publishes, connects and subscribes its own way.
 */
import { BrokerError } from '../../errors.js';
import type { StoreEvent } from '../stream-contract.js';

type Listener = (event: StoreEvent) => void;
import type { Run } from './redis-errors.js';

/** The subscriber connection, as far as this class uses it. */
interface Connection {
  connect(): Promise<void>;
  disconnect(): void;
}

export abstract class SubscriberEvents<Sub extends Connection> {
  /** One entry per subscribe call, so the same function subscribed twice is called twice. */
  private readonly subs = new Set<{ listener: Listener }>();
  protected subscriber: Promise<Sub> | undefined;
  private closed = false;

  constructor(protected readonly run: Run) {}

  /** A new subscriber connection, subscribed to what the subclass listens to (see opened). */
  protected abstract connect(): Promise<Sub>;

  /** Ends the subscriber connection at close(). */
  protected abstract closeSubscriber(sub: Sub): Promise<void>;

  /** Resolves once the channel is subscribed: every event published after that is seen. */
  async subscribe(listener: Listener): Promise<() => Promise<void>> {
    if (this.closed) throw new BrokerError('STORE_UNAVAILABLE');
    const connecting = (this.subscriber ??= this.connect());
    try {
      await this.run(() => connecting);
    } catch (err) {
      // A later subscribe tries again with a new connection.
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
    if (sub) await this.closeSubscriber(sub);
  }

  /** Connects `sub` and subscribes it; a store closed meanwhile gets no connection. */
  protected async opened(sub: Sub, subscribe: () => Promise<unknown>): Promise<Sub> {
    try {
      await sub.connect();
      await subscribe();
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

  /** Each listener in its own microtask: a throwing listener does not silence the others. */
  protected deliver(event: StoreEvent): void {
    for (const sub of this.subs) {
      queueMicrotask(() => {
        if (this.subs.has(sub)) sub.listener({ ...event });
      });
    }
  }
}
