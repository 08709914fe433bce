/**
 * The queue overview: one row per registered queue with everything an operator looks at
 * (counts by state, status, policy, consumers by transport, age of the oldest message). The
 * dashboard shows it and the /metrics gauges are computed from it at scrape time, so it is
 * built from batched store calls (a few round trips for all queues, not a few per queue).
 */
import type { Policy, QueueStatus } from '../wire.js';
import type { QueueService } from './queue-service.js';
import type { ConsumerCounts } from './consumer-census.js';

export type { ConsumerCounts } from './consumer-census.js';

export interface QueueOverview {
  queue: string;
  ready: number;
  inflight: number;
  delayed: number;
  /** Messages in the default dead-letter queue `<q>.dead`. */
  dead: number;
  status: QueueStatus;
  policy: Policy;
  /** This broker's streams by transport; `poll` and `total` cover every broker (consumer-census.ts). */
  consumers: ConsumerCounts;
  /** Seconds since the oldest ready message was enqueued; null when none is ready or the
   *  store cannot tell (Redis: may read up to a second high, see meter-contract.ts). */
  oldestAgeSeconds: number | null;
  /** Messages moved from this queue to a dead-letter queue, ever, on every broker (a counter). */
  deadLetteredTotal: number;
}

/** Every registered queue, sorted by name (the store's order); or only `some` of them. */
export async function queueOverview(service: QueueService, some?: readonly string[]): Promise<QueueOverview[]> {
  const { queues, meters } = some ? await service.metersOf(some) : await service.allMeters();
  const consumers = await service.consumerCounts(queues, meters.map((m) => m.consumers));
  return queues.map((queue, i) => {
    const m = meters[i]!;
    return {
      queue,
      ready: m.ready,
      inflight: m.inflight,
      delayed: m.delayed,
      dead: m.dead,
      status: m.status ?? 'started',
      policy: m.policy ?? 'broadcast',
      consumers: consumers[i]!,
      oldestAgeSeconds: m.oldestAgeMs === null ? null : m.oldestAgeMs / 1000,
      deadLetteredTotal: m.deadLettered,
    };
  });
}

/** What a scrape with a cap on per-queue rows reads: the deepest queues' rows, and every other
 *  registered queue summed into one row (named by the caller) that also counts the stopped ones. */
export interface CappedOverview {
  rows: QueueOverview[];
  /** null when every queue has its row. */
  rest: (Omit<QueueOverview, 'queue'> & { queues: number; paused: number }) | null;
}

/** The `max` deepest queues (0: every queue, no sums), from the store's ranking: a thousand
 *  rows are built, not one per queue. */
export async function cappedOverview(service: QueueService, max: number): Promise<CappedOverview> {
  if (max <= 0) return { rows: await queueOverview(service), rest: null };
  const { top, rest, restConsumers } = await service.rankQueues(max);
  const rows = await queueOverview(service, top);
  if (rest.queues === 0) return { rows, rest: null };
  return {
    rows,
    rest: {
      queues: rest.queues, paused: rest.stopped, ready: rest.ready, inflight: rest.inflight, delayed: rest.delayed, dead: rest.dead,
      status: 'started', policy: 'broadcast', consumers: restConsumers,
      oldestAgeSeconds: rest.oldestAgeMs === null ? null : rest.oldestAgeMs / 1000, deadLetteredTotal: rest.deadLettered,
    },
  };
}
