/**
 * The SDK's public types. Shapes that cross the wire come from src/wire.ts (type-only, so the
 * SDK has no runtime dependency on the broker); what wire.ts does not spell yet (leases,
 * settings) is spelled here, after the broker's replies.
 */
import type { Envelope, Message, Policy, QueueStats, QueueStatus } from '../src/wire.js';

export type { Envelope, Message, Policy, QueueStats, QueueStatus };

/** Basic auth (the ACL file's users) or an API key (sent as `Authorization: Bearer`). */
export type Auth = { user: string; password: string } | { apiKey: string };

export interface ClientOptions {
  /** Base URL of the broker, e.g. `http://127.0.0.1:8888`. */
  url: string;
  auth?: Auth;
  /** Per-request timeout in milliseconds (long polls add their `wait`); default 30 s. */
  timeoutMs?: number;
}

export interface PushOptions {
  /** Seconds until the body expires (1 s to one year). */
  ttl?: number;
  /** Seconds before the message becomes visible (0 to 43,200). */
  delay?: number;
  /** Idempotency id: the same id on the same queue within 5 minutes enqueues nothing. */
  dedup?: string;
}

export interface PopOptions {
  /** Long poll: wait up to this many seconds (max 60) for a message. */
  wait?: number;
}

/** A message handed out with a lease: acknowledge it with `receipt` before the lease ends. */
export interface LeasedEnvelope extends Envelope {
  receipt: string;
  attempts: number;
}

/** A queue's streaming policy and reliability settings (`GET /p/<q>`). */
export interface QueuePolicy {
  queue: string;
  policy: Policy;
  /** Default lease in seconds, when set. */
  lease?: number;
  maxAttempts?: number;
  deadLetter?: string;
}

export interface PolicyUpdate {
  policy?: Policy;
  lease?: number;
  maxAttempts?: number;
  deadLetter?: string;
}

/** Every queue's stats, as `GET /stats/` reports them. */
export type AllStats = Record<string, Omit<QueueStats, 'queue'> & { name: string }>;

/** The JSON `get` command: the oldest message, not removed; `count` = times read. */
export interface Peeked extends Message {
  queue: string;
  count: number;
}

/** A message seen by `peek`: left in the queue. */
export interface PeekedMessage extends Message {
  /** The whole value's size in bytes (UTF-8). */
  bytes: number;
  /** Whether `value` was cut (at 4,096 characters). */
  truncated: boolean;
}

export type Transport = 'sse' | 'ws';

/** What a stream asks for: a lease (seconds) per message, and how many it may hold unacked. */
export interface Leasing {
  lease?: number | undefined;
  prefetch?: number | undefined;
}

export interface SubscribeOptions {
  transport?: Transport;
  /** Lease each delivered message for this many seconds: at-least-once, acknowledge each
   *  (on a roundrobin queue; a broadcast queue's copies are not leased, see LeasedDelivery). */
  lease?: number;
  /** With `lease`: the most unacknowledged messages this consumer holds (broker default 10). */
  prefetch?: number;
  /** Reconnect after the connection drops (default true). */
  reconnect?: boolean;
  /**
   * A connection that brings nothing (not even the broker's heartbeat, every 15 s by default)
   * for this long is taken as dead and replaced; default 60,000 ms, 0 for never. Not counted
   * while the subscription holds back because its reader is behind.
   */
  idleTimeoutMs?: number;
  /** First reconnect delay in ms (default: the server's SSE `retry:`, else 500); doubles up to `maxBackoffMs` (30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Ends the subscription. */
  signal?: AbortSignal;
  /** Told about each connection loss before the client waits and reconnects. */
  onDisconnect?: (error: unknown, retryInMs: number) => void;
  /** Told each time a connection is established (first one included). */
  onConnect?: () => void;
}

/** A message received on a stream. */
export interface StreamMessage extends Message {
  receipt?: string;
  attempts?: number;
}

/** A leased stream message with its acknowledgement handles. */
export interface LeasedDelivery extends StreamMessage {
  /** '' for a copy of a broadcast queue: it was not leased, and ack/nack do nothing. */
  receipt: string;
  attempts: number;
  /** Done: removes the message for good. */
  ack(): Promise<void>;
  /** Give it back now (or after `delay` seconds). */
  nack(delay?: number): Promise<void>;
}
