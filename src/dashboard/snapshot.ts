/**
 * What the dashboard shows at one instant: the queue table (depths, status, policy,
 * consumers by transport) and this broker's streaming consumers. Rates are added by the live
 * feed, which knows the previous sample.
 */
import type { ConsumerInfo } from '../core/consumer.js';
import type { Distributor } from '../core/distributor.js';
import { queueOverview } from '../core/overview.js';
import type { QueueService } from '../core/queue-service.js';
import type { QueueRow, Rates } from '../wire.js';

export type Consumers = ConsumerInfo[];

export type Snapshot = {
  /** ms since epoch */
  time: number;
  store: string;
  queues: QueueRow[];
  consumers: Consumers;
};

/** The parts a snapshot reads: the queues (through the service) and this broker's consumers. */
export interface SnapshotSources {
  service: QueueService;
  distributor: Distributor;
}

/** Every streaming consumer of this broker, fan-out and leased, oldest first. */
export function listConsumers(deps: SnapshotSources): Consumers {
  return deps.distributor.consumers().sort((a, b) => a.since - b.since);
}

const NO_RATES: Rates = { enqueued: 0, delivered: 0, acked: 0 };

/** The queue overview (batched store calls for every queue) and the local consumer list. */
export async function takeSnapshot(deps: SnapshotSources): Promise<Snapshot> {
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
