/**
 * What the dashboard shows at one instant: the queue table (depths, status, policy,
 * consumers by transport) and this broker's streaming consumers. Rates are added by the live
 * feed, which knows the previous sample.
 */
import type { ConsumerInfo, Transport } from '../core/consumer.js';
import type { AppDeps } from '../http/app.js';

export type ByTransport = { comet: number; sse: number; ws: number };

export type Rates = { enqueued: number; delivered: number; acked: number };

export type QueueRow = {
  queue: string;
  ready: number;
  inflight: number;
  delayed: number;
  dead: number;
  /** Consumers registered in the store (every broker sharing it). */
  consumers: number;
  /** This broker's streaming consumers of the queue, by transport. */
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

export type SnapshotDeps = Pick<AppDeps, 'service' | 'distributor' | 'leaseStreams'>;

/** Every streaming consumer of this broker, fan-out and leased, oldest first. */
export function listConsumers(deps: SnapshotDeps): Consumers {
  return [...deps.distributor.consumers(), ...deps.leaseStreams.consumers()].sort((a, b) => a.since - b.since);
}

function countByTransport(consumers: Consumers): Map<string, ByTransport> {
  const byQueue = new Map<string, ByTransport>();
  for (const c of consumers) {
    let counts = byQueue.get(c.queue);
    if (!counts) byQueue.set(c.queue, (counts = { comet: 0, sse: 0, ws: 0 }));
    counts[c.transport satisfies Transport]++;
  }
  return byQueue;
}

const NO_RATES: Rates = { enqueued: 0, delivered: 0, acked: 0 };

/** One store round trip for every queue's counts, plus the local consumer lists. */
export async function takeSnapshot(deps: SnapshotDeps): Promise<Snapshot> {
  const consumers = listConsumers(deps);
  const local = countByTransport(consumers);
  const stats = await deps.service.allStats();
  const queues: QueueRow[] = stats.map((s) => ({
    queue: s.queue,
    ready: s.ready,
    inflight: s.inflight,
    delayed: s.delayed,
    dead: s.dead,
    consumers: s.consumers,
    transports: local.get(s.queue) ?? { comet: 0, sse: 0, ws: 0 },
    status: s.status === 0 ? 'stopped' : 'started',
    policy: s.policy === 2 ? 'roundrobin' : 'broadcast',
    oldestAgeSeconds: null,
    rates: NO_RATES,
  }));
  return { time: Date.now(), store: deps.service.storeKind, queues, consumers };
}
