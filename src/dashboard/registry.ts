/**
 * Every broker's streaming consumers (`GET /dashboard/api/consumers/all`): the store's
 * registry of each queue that has any, joined with what this broker knows of its own
 * (transport, address, delivered and unacknowledged counts). Another broker's consumers show
 * what that broker last reported of them with its registrations (core/consumer-reports.ts):
 * as old as its refresh interval at most, `reportedAt` says when.
 */
import type { ConsumerInfo } from '../core/consumer.js';
import { replies, type Reply } from '../protocols/replies.js';
import type { ConsumerReport } from '../storage/browse-contract.js';
import { listConsumers, type Snapshot, type SnapshotSources } from './snapshot.js';

export type RegistryRow = Partial<ConsumerInfo> & {
  queue: string;
  id: string;
  broker: string;
  /** Held by the broker serving the page. */
  local: boolean;
  expiresAt: number | null;
  /** Another broker's consumer: when that broker reported the counts (epoch ms, its clock). */
  reportedAt?: number;
};

/** A live-feed sample younger than this names the queues with consumers; else they are read. */
const FRESH_MS = 5000;

/** The queues that have streaming consumers on some broker: from a fresh sample of the live
 *  feed (an open dashboard takes one a second anyway), else from the store's meters. */
async function queuesWithConsumers(deps: SnapshotSources, latest: Snapshot | undefined): Promise<string[]> {
  if (latest && Date.now() - latest.time < FRESH_MS) return latest.queues.filter((r) => r.consumers > 0).map((r) => r.queue);
  const { queues, meters } = await deps.service.allMeters();
  return queues.filter((_q, i) => meters[i]!.consumers > 0);
}

/** Another broker's report as a row's fields (the queue and id come from the registration). */
function reportedRow(r: ConsumerReport & { at: number }): Partial<RegistryRow> {
  const { id: _id, at, transport, ...rest } = r;
  return { ...rest, transport: transport as ConsumerInfo['transport'], reportedAt: at };
}

export async function everyConsumer(deps: SnapshotSources, latest?: Snapshot): Promise<Reply> {
  const busy = await queuesWithConsumers(deps, latest);
  const registered = await Promise.all(busy.map((q) => deps.service.registeredConsumers(q)));
  const mine = new Map(listConsumers(deps).map((c) => [`${c.queue}\n${c.id}`, c]));
  const broker = deps.service.brokerId;
  const rows: RegistryRow[] = [];
  busy.forEach((queue, i) => {
    for (const r of registered[i]!) {
      const local = r.broker === broker ? mine.get(`${queue}\n${r.consumer}`) : undefined;
      if (local) mine.delete(`${queue}\n${r.consumer}`);
      const reported = !local && r.report ? reportedRow(r.report) : undefined;
      rows.push({ ...(local ?? reported), queue, id: r.consumer, broker: r.broker, local: r.broker === broker, expiresAt: r.expiresAt });
    }
  });
  // A fan-out consumer of this broker may not be registered (nothing to dispatch to it yet).
  for (const c of mine.values()) rows.push({ ...c, broker, local: true, expiresAt: null });
  rows.sort((a, b) => a.queue.localeCompare(b.queue) || (a.since ?? 0) - (b.since ?? 0));
  return replies.dashboard({ broker, consumers: rows });
}
