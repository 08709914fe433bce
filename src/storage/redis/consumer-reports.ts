/**
 * Consumer reports on Redis, both layouts (stream-contract.ts publishConsumerReports): each
 * broker writes one JSON string per queue it streams, `{"at": <ms>, "consumers": [report...]}`,
 * with the registration TTL, so a dead broker's reports vanish with its registrations. Readers
 * join them to live registrations only and skip what they cannot parse: a missing or odd
 * value (another version) just leaves the consumer without counts.
 */
import type { Cluster, Redis } from 'ioredis';
import type { ConsumerReport, RegisteredConsumer } from '../browse-contract.js';

type Client = Redis | Cluster;
/** keys.consumerReports or clusterKeys.consumerReports. */
export type ReportKey = (q: string, brokerId: string) => string;

export async function publishReports(r: Client, key: string, reports: readonly ConsumerReport[], ttlMs: number): Promise<void> {
  if (reports.length === 0) {
    await r.del(key);
    return;
  }
  await r.set(key, JSON.stringify({ at: Date.now(), consumers: reports }), 'PX', Math.max(1, Math.ceil(ttlMs)));
}

const isReport = (c: unknown): c is ConsumerReport => {
  const o = c as Record<string, unknown> | null;
  return typeof o === 'object' && o !== null && typeof o['id'] === 'string' && typeof o['delivered'] === 'number';
};

function parse(text: string | null): Map<string, ConsumerReport & { at: number }> {
  const out = new Map<string, ConsumerReport & { at: number }>();
  if (text === null) return out;
  try {
    const v = JSON.parse(text) as { at?: unknown; consumers?: unknown };
    if (typeof v.at !== 'number' || !Array.isArray(v.consumers)) return out;
    for (const c of v.consumers) if (isReport(c)) out.set(c.id, { ...c, at: v.at });
  } catch {
    // Not ours to read: no counts.
  }
  return out;
}

/** `registered` with each broker's report of each consumer, where there is one. One MGET: the
 *  keys of a queue share its slot in the cluster layout. */
export async function withReports(r: Client, key: ReportKey, queue: string, registered: RegisteredConsumer[]): Promise<RegisteredConsumer[]> {
  const brokers = [...new Set(registered.map((c) => c.broker))];
  if (brokers.length === 0) return registered;
  const texts = await r.mget(...brokers.map((b) => key(queue, b)));
  const byBroker = new Map(brokers.map((b, i) => [b, parse(texts[i] ?? null)]));
  return registered.map((c) => {
    const report = byBroker.get(c.broker)?.get(c.consumer);
    return report ? { ...c, report } : c;
  });
}
