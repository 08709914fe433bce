/**
 * What the dashboard shows at one instant: the queue table (depths, status, policy,
 * consumers by transport) and this broker's streaming consumers. Rates are added by the live
 * feed, which knows the previous sample.
 */
import type { ConsumerInfo } from '../core/consumer.js';
import { queueOverview } from '../core/overview.js';
import type { AppDeps } from '../http/app.js';

/** This broker's consumers of a queue: streams by transport, and waiting long polls. */
export type ByTransport = { comet: number; sse: number; ws: number; poll: number };

export type Rates = { enqueued: number; delivered: number; acked: number };

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
  status: 'started' | 'stopped';
  policy: 'broadcast' | 'roundrobin';
  /** Age of the oldest ready message; null when empty or not known. */
  oldestAgeSeconds: number | null;
  /** Per second, measured on this broker. */
  rates: Rates;
};

export type Consumers = ConsumerInfo[];

export type Snapshot = {
  /** ms since epoch */
  time: number;
  store: string;
  queues: QueueRow[];
  consumers: Consumers;
};

export type SnapshotDeps = Pick<AppDeps, 'service' | 'distributor'>;

/** Every streaming consumer of this broker, fan-out and leased, oldest first. */
export function listConsumers(deps: SnapshotDeps): Consumers {
  return deps.distributor.consumers().sort((a, b) => a.since - b.since);
}

const NO_RATES: Rates = { enqueued: 0, delivered: 0, acked: 0 };

/** The queue overview (batched store calls for every queue) and the local consumer list. */
export async function takeSnapshot(deps: SnapshotDeps): Promise<Snapshot> {
  const overview = await queueOverview(deps.service);
  const queues: QueueRow[] = overview.map((o) => ({
    queue: o.queue,
    ready: o.ready,
    inflight: o.inflight,
    delayed: o.delayed,
    dead: o.dead,
    consumers: o.consumers.total,
    transports: { comet: o.consumers.comet, sse: o.consumers.sse, ws: o.consumers.ws, poll: o.consumers.poll },
    status: o.status,
    policy: o.policy,
    oldestAgeSeconds: o.oldestAgeSeconds,
    rates: NO_RATES,
  }));
  return { time: Date.now(), store: deps.service.storeKind, queues, consumers: listConsumers(deps) };
}
