/**
 * What this broker tells the others about its streaming consumers (browse-contract.ts
 * ConsumerReport): published with each refresh of their registrations, so the dashboard of any
 * broker shows every consumer's counts, as old as the refresh interval at most.
 */
import type { ConsumerReport } from '../storage/browse-contract.js';
import type { ConsumerInfo } from './consumer.js';

export function reportsOf(consumers: Iterable<{ info: ConsumerInfo }>): ConsumerReport[] {
  const out: ConsumerReport[] = [];
  for (const { info: c } of consumers) {
    const r: ConsumerReport = { id: c.id, transport: c.transport, remote: c.remote, since: c.since, leased: c.leased, delivered: c.delivered };
    if (c.prefetch !== undefined) r.prefetch = c.prefetch;
    if (c.unacked !== undefined) r.unacked = c.unacked;
    out.push(r);
  }
  return out;
}
