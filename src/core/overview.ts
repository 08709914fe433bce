/**
 * The queue overview: one row per registered queue with everything an operator looks at
 * (counts by state, status, policy, consumers by transport, age of the oldest message). The
 * dashboard shows it and the /metrics gauges are computed from it at scrape time, so it is
 * built from batched store calls (a few round trips for all queues, not a few per queue).
 */
import type { Policy, QueueStatus } from '../wire.js';
import type { Distributor } from './distributor.js';
import type { LeaseStreams } from './lease-streams.js';
import type { QueueService } from './queue-service.js';
import type { Transport } from './consumer.js';

export interface ConsumerCounts extends Record<Transport, number> {
  /** Long-poll requests waiting on this broker (GET ?wait=). */
  poll: number;
  /** Streaming consumers registered by every broker sharing the store, plus this broker's
   *  leased streams (those are not registered in the store). */
  total: number;
}

export interface QueueOverview {
  queue: string;
  ready: number;
  inflight: number;
  delayed: number;
  /** Messages in the default dead-letter queue `<q>.dead`. */
  dead: number;
  status: QueueStatus;
  policy: Policy;
  /** This broker's consumers by transport; `total` covers every broker. */
  consumers: ConsumerCounts;
  /** Seconds since the oldest ready message was enqueued; null when none is ready or the
   *  store cannot tell (Redis: may read up to a second high, see meter-contract.ts). */
  oldestAgeSeconds: number | null;
  /** Messages moved from this queue to a dead-letter queue, ever, on every broker (a counter). */
  deadLetteredTotal: number;
}

/** Local consumers by queue and transport, from the parts that hold them. */
function localConsumers(distributor: Distributor, leaseStreams?: LeaseStreams): Map<string, Record<Transport, number>> {
  const byQueue = new Map<string, Record<Transport, number>>();
  const add = (queue: string, transport: Transport) => {
    let counts = byQueue.get(queue);
    if (!counts) byQueue.set(queue, (counts = { comet: 0, sse: 0, ws: 0 }));
    counts[transport]++;
  };
  distributor.eachConsumer(add);
  leaseStreams?.eachConsumer(add);
  return byQueue;
}

/** Every registered queue, sorted by name (the store's order); or only `some` of them. */
export async function queueOverview(service: QueueService, distributor: Distributor, leaseStreams?: LeaseStreams, some?: readonly string[]): Promise<QueueOverview[]> {
  const { queues, meters } = some ? await service.metersOf(some) : await service.allMeters();
  const local = localConsumers(distributor, leaseStreams);
  const polls = service.longPoll?.waitingByQueue() ?? new Map<string, number>();
  return queues.map((queue, i) => {
    const m = meters[i]!;
    const mine = local.get(queue) ?? { comet: 0, sse: 0, ws: 0 };
    return {
      queue,
      ready: m.ready,
      inflight: m.inflight,
      delayed: m.delayed,
      dead: m.dead,
      status: m.status ?? 'started',
      policy: m.policy ?? 'broadcast',
      consumers: { ...mine, poll: polls.get(queue) ?? 0, total: m.consumers + (leaseStreams?.countOf(queue) ?? 0) },
      oldestAgeSeconds: m.oldestAgeMs === null ? null : m.oldestAgeMs / 1000,
      deadLetteredTotal: m.deadLettered,
    };
  });
}
