/**
 * BrowseStore: a read-only look at a queue's messages by state, for the dashboard's message
 * lists and its consumer registry. Nothing is consumed, hidden, counted or changed. Every
 * backend implements it.
 */

/** Ready: pending, oldest first. In flight: leased, earliest lease deadline first. Delayed:
 *  not yet visible (enqueued or nacked with a delay), earliest due first. */
export type MessageState = 'ready' | 'inflight' | 'delayed';

export interface BrowsedMessage {
  key: string;
  value: string;
  /** Leases the message has had. */
  attempts: number;
  /** In flight: the lease deadline; delayed: when it becomes visible (epoch ms, the store's
   *  clock); null when ready. */
  at: number | null;
  /** The queue it died in, for a message in a dead-letter queue; else null. */
  origin: string | null;
  /** In flight: the receipt of its current lease (what ack and nack take); else null. */
  receipt: string | null;
}

export interface BrowsePage {
  /** Messages in that state in all. */
  total: number;
  messages: BrowsedMessage[];
}

/** How far the in-flight and delayed lists read (Redis keeps them unsorted by page). */
export const MAX_BROWSE_SCAN = 10_000;

/** What a broker tells the others about one of its streaming consumers, each time it
 *  refreshes the registrations (stream-contract.ts publishConsumerReports). */
export interface ConsumerReport {
  /** The consumer id, as registered. */
  id: string;
  transport: string;
  /** The client's address. */
  remote: string;
  /** Connected since (epoch ms, its broker's clock). */
  since: number;
  leased: boolean;
  /** Messages handed to its connection so far. */
  delivered: number;
  /** Leased only: the most unacknowledged messages it may hold, and how many it held. */
  prefetch?: number;
  unacked?: number;
}

/** One live registration of a streaming consumer, by whichever broker holds it. */
export interface RegisteredConsumer {
  broker: string;
  consumer: string;
  /** When the registration lapses unless its broker refreshes it (epoch ms, the store's clock). */
  expiresAt: number;
  /** Its broker's last report of it, and when that was made (epoch ms, that broker's clock);
   *  absent before the first report, or when the broker publishes none (an older version). */
  report?: ConsumerReport & { at: number };
}

export interface BrowseStore {
  /** This store's broker id, as registrations name it. */
  readonly brokerId: string;
  /** The live streaming consumers of `queue` on every broker sharing the store. */
  registeredConsumers(queue: string): Promise<RegisteredConsumer[]>;

  /** The messages of `queue` in `state` from position `offset`, at most `limit` of them.
   *  A message whose body is gone (expired, acknowledged meanwhile) is skipped. */
  browse(queue: string, state: MessageState, offset: number, limit: number): Promise<BrowsePage>;
}
