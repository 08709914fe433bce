/**
 * The StreamStore side of the SQLite store (stream-contract.ts); SqliteStore extends it. A file
 * has one broker, so registrations, the round-robin cursor and events live in this process;
 * dispatch, inbox and requeue are operations of sqlite-stream.ts, run in the store's group commit.
 */
import type { Message } from '../../wire.js';
import type { DispatchResult, Delivery, ReturnedMessage, StoreEvent } from '../stream-contract.js';
import type { LeasedMessage } from '../lease-contract.js';
import type { ConsumerReport, RegisteredConsumer } from '../browse-contract.js';
import { LocalReports } from '../local-reports.js';
import type { ConsumerRegistry, streamOperations } from './sqlite-stream.js';
import type { Notifier } from './sqlite-events.js';

/** What the stream side shares with the store: the same registry, cursor and notifier. */
export interface StreamState {
  stream: ReturnType<typeof streamOperations>;
  consumers: ConsumerRegistry;
  /** Round-robin cursor: the consumer that got the queue's last message. */
  lastConsumer: Map<string, string>;
  events: Notifier;
}

/** What the stream side needs of the store: its group commit, its closed check, its announcement. */
export interface StreamHost {
  run<T>(fn: () => T): Promise<T>;
  open(): void;
  notifyEnqueued(queue: string): void;
}

export abstract class SqliteStreamStore {
  abstract readonly brokerId: string;
  readonly #stream: StreamState['stream'];
  readonly #consumers: ConsumerRegistry;
  /** This broker's reports of its consumers (their counts), for registeredConsumers. */
  readonly #reports = new LocalReports();
  readonly #lastConsumer: Map<string, string>;
  readonly #events: Notifier;
  readonly #run: StreamHost['run'];
  readonly #open: StreamHost['open'];
  readonly #notifyEnqueued: StreamHost['notifyEnqueued'];

  constructor(state: StreamState, host: StreamHost) {
    this.#stream = state.stream;
    this.#consumers = state.consumers;
    this.#lastConsumer = state.lastConsumer;
    this.#events = state.events;
    this.#run = (fn) => host.run(fn);
    this.#open = () => host.open();
    this.#notifyEnqueued = (queue) => host.notifyEnqueued(queue);
  }

  async registerConsumers(queue: string, consumerIds: readonly string[], ttlMs: number): Promise<void> {
    this.#open();
    this.#consumers.register(queue, consumerIds, ttlMs, Date.now());
  }

  /** A file has one broker: the registry is this broker's own. */
  async registeredConsumers(queue: string): Promise<RegisteredConsumer[]> {
    this.#open();
    const now = Date.now();
    return this.#reports.attach(queue, now, this.#consumers.registrations(queue, now).map(([consumer, expiresAt]) => ({ broker: this.brokerId, consumer, expiresAt })));
  }

  async publishConsumerReports(queue: string, reports: readonly ConsumerReport[], ttlMs: number): Promise<void> {
    this.#open();
    this.#reports.publish(queue, reports, ttlMs, Date.now());
  }

  async unregisterConsumers(queue: string, consumerIds: readonly string[]): Promise<void> {
    this.#open();
    this.#consumers.unregister(queue, consumerIds);
  }

  /** The consumers and the round-robin cursor are read when the operation runs, in order with
   *  the other dispatches of its group. */
  async dispatch(queue: string, count: number, read: number): Promise<DispatchResult> {
    return this.#run(() => {
      const now = Date.now();
      const { dispatched, inbox, last } = this.#stream.dispatch(
        queue, count, read, now, this.#consumers.live(queue, now), this.#lastConsumer.get(queue));
      if (last !== undefined) this.#lastConsumer.set(queue, last);
      return { dispatched, inbox };
    });
  }

  async readInbox(read: number): Promise<Delivery[]> {
    return this.#run(() => this.#stream.readInbox(read));
  }

  async ackInbox(n: number): Promise<void> {
    return this.#run(() => this.#stream.ackInbox(n));
  }

  /** Messages that came back are announced like an enqueue: the queue's other consumers get them. */
  async requeue(queue: string, messages: readonly ReturnedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if ((await this.#run(() => this.#stream.requeue(queue, messages))) > 0) this.#notifyEnqueued(queue);
  }

  async leaseDispatched(queue: string, messages: readonly Message[], leaseMs: number): Promise<LeasedMessage[]> {
    if (messages.length === 0) return [];
    return this.#run(() => this.#stream.leaseDispatched(queue, messages, leaseMs, Date.now()));
  }

  /** A file has one broker: no other broker to tell it is alive, none whose inbox to reap
   *  (the previous owner's inbox was recovered at open). */
  async heartbeat(_ttlMs: number): Promise<void> {
    this.#open();
  }

  async reap(): Promise<number> {
    this.#open();
    return 0;
  }

  async leave(): Promise<void> {
    this.#open();
  }

  async publish(event: StoreEvent): Promise<void> {
    this.#open();
    this.#events.publish(event);
  }

  async subscribe(listener: (event: StoreEvent) => void): Promise<() => Promise<void>> {
    this.#open();
    const off = this.#events.subscribe(listener);
    return async () => off();
  }
}
