/**
 * What the distributor's users see (distributor.ts re-exports it): the store it needs, its
 * options, what attaching a consumer takes and returns, and the watch on settled receipts.
 */
import type { QueueStore } from '../storage/contract.js';
import type { StreamStore } from '../storage/stream-contract.js';
import type { LeaseStore } from '../storage/lease-contract.js';
import type { MeterStore } from '../storage/meter-contract.js';
import type { ConsumerInfo, ConsumerLimits, EndReason } from './consumer.js';

export type BrokerStore = QueueStore & StreamStore & LeaseStore & MeterStore;

export interface Log {
  warn(obj: object, msg: string): void;
}

export interface DistributorOptions extends ConsumerLimits {
  /** Most messages taken per dispatch and inbox items read per round trip. */
  batch: number;
  /** Bytes of values one dispatch aims at (big messages: fewer per dispatch). */
  batchBytes: number;
  /** A consumer whose transport stays saturated this long is cut off. */
  stallMs: number;
  /** Safety poll for messages written without a notification (an old RestMQ). */
  pollMs: number;
  /** How long a consumer registration and the broker's heartbeat live unless refreshed. */
  registrationTtlMs: number;
  /** Idle time after which an SSE or WebSocket stream gets a heartbeat; 0: none. */
  heartbeatMs: number;
  /** The same for COMET; 0: none (the original's clients take any chunk for a message). */
  cometHeartbeatMs: number;
}

export const DEFAULT_DISTRIBUTOR_OPTIONS: DistributorOptions = {
  batch: 100,
  batchBytes: 4 * 1024 * 1024,
  stallMs: 30_000,
  pollMs: 1000,
  registrationTtlMs: 15_000,
  heartbeatMs: 15_000,
  cometHeartbeatMs: 0,
  maxPending: 1000,
  maxPendingBytes: 8 * 1024 * 1024,
};

export interface AttachOptions {
  /** At-least-once: each message handed to this consumer is leased for this long. */
  leaseMs?: number;
  /** Leased: the most unacknowledged messages it holds (default DEFAULT_PREFETCH). */
  prefetch?: number;
  /** The client's address, shown on the dashboard. */
  remote?: string;
}

/** An attached consumer, as its transport sees it. */
export interface StreamHandle {
  readonly info: ConsumerInfo;
  /** The connection ended: forget the consumer, give back what it did not finish. */
  detach(reason?: EndReason): void;
}

/** Watches receipts settled anywhere (QueueService tells it of acks and nacks). */
export interface ReceiptWatch {
  /** A receipt of `queue` was acknowledged or nacked; true if a consumer of this broker held it. */
  settled(queue: string, receipt: string): boolean;
  extended(queue: string, receipt: string, leaseMs: number): void;
  /** This broker has just sent the store an enqueue of `queue` (no delay, no dedup). */
  enqueueSent(queue: string): void;
}
