/**
 * Types that cross the wire: message envelopes, JSON-protocol commands and replies.
 * Shared with client/ so the SDK and the broker agree on shapes.
 */

/** Delivery policy of a queue's streaming consumers. */
export type Policy = 'broadcast' | 'roundrobin';

/** Flow-control status of a queue; a queue with no stored status is started. */
export type QueueStatus = 'started' | 'stopped';

/** A message as taken from a queue. `key` is `<queue>:<n>`. */
export interface Message {
  key: string;
  value: string;
}

/** The envelope `GET /q/<q>` replies with (the original's `count` is always 0). */
export interface Envelope extends Message {
  count: number;
}

/** Per-queue figures shown by `/stats/<q>` and the JSON `stats` command. */
export interface QueueStats {
  queue: string;
  len: number;
  status: 0 | 1;
  policy: 1 | 2;
  ready: number;
  inflight: number;
  delayed: number;
  dead: number;
  consumers: number;
  /** Long polls waiting, on every broker sharing the store. */
  polls: number;
}

/** The JSON protocol's commands (POST /queue, WebSocket frames). */
export type JsonCommandName = 'add' | 'get' | 'take' | 'del' | 'drop' | 'len' | 'stats' | 'policy' | 'status';

export interface JsonCommand {
  cmd: JsonCommandName | string;
  queue?: unknown;
  value?: unknown;
  values?: unknown;
  key?: unknown;
  ttl?: unknown;
  policy?: unknown;
  status?: unknown;
}

/** A message handed out with a lease: acknowledge it with `receipt` before the lease ends. */
export interface LeasedMessage extends Message {
  receipt: string;
  attempts: number;
}

/** Per-queue settings of SPEC section 6 (`POST /p/<q>`); absent fields use the defaults. */
export interface QueueSettings {
  /** Default lease for streaming consumers and `lease` without a duration, seconds. */
  leaseSeconds?: number;
  /** Leases after which a message is dead-lettered; absent: never. */
  maxAttempts?: number;
  /** Dead-letter queue; default `<q>.dead`. */
  deadLetter?: string;
}

/** This broker's consumers of a queue: streams by transport, and waiting long polls. */
export type ByTransport = { comet: number; sse: number; ws: number; poll: number };

export type Rates = { enqueued: number; delivered: number; acked: number };

/** One queue in the dashboard's table (`GET /dashboard/api/queues`, the live feed). */
export type QueueRow = {
  queue: string;
  ready: number;
  inflight: number;
  delayed: number;
  dead: number;
  /** Streaming consumers on every broker sharing the store. */
  consumers: number;
  /** This broker's consumers of the queue, by transport. */
  transports: ByTransport;
  status: QueueStatus;
  policy: Policy;
  /** Age of the oldest ready message; null when empty or not known. */
  oldestAgeSeconds: number | null;
  /** Per second, measured on this broker. */
  rates: Rates;
};
