/**
 * BrowseStore on Redis, both layouts (browse-contract.ts): plain read commands, no script, so
 * nothing here can change a queue. The reads are not one snapshot: a message that moves
 * between them may be missing from a page (a body already gone is skipped), never invented.
 * In flight and delayed are read from their sorted sets (at most MAX_BROWSE_SCAN entries):
 * a lease with a token is in flight; one without (a nack with a delay) is delayed, as in the
 * meters (lua/meters-0.lua).
 */
import type { Cluster, Redis } from 'ioredis';
import { MAX_BROWSE_SCAN, type BrowsePage, type MessageState, type RegisteredConsumer } from '../browse-contract.js';
import { clusterKeys, keys } from './keys.js';
import { withReports, type ReportKey } from './consumer-reports.js';

type Client = Redis | Cluster;

/** Where a queue's messages and their books are, and how a list member names its message. */
interface BrowseLayout {
  pending: (q: string) => string;
  leased: (q: string) => string;
  tokens: (q: string) => string;
  attempts: (q: string) => string;
  delayed: (q: string) => string;
  origin: (q: string) => string;
  consumers: (q: string) => string;
  reports: ReportKey;
  /** The message key of a member of those lists and sets. */
  keyOf: (q: string, member: string) => string;
  /** The bodies of members, null where gone (expired, deleted). */
  bodies: (r: Client, q: string, members: string[]) => Promise<(string | null)[]>;
}

/** The original's layout: members are message keys, each body its own key. */
export const LEGACY_BROWSE: BrowseLayout = {
  pending: keys.pending,
  leased: keys.leased,
  tokens: keys.leaseTokens,
  attempts: keys.attempts,
  delayed: keys.delayed,
  origin: keys.origin,
  consumers: keys.consumers,
  reports: keys.consumerReports,
  keyOf: (_q, member) => member,
  bodies: (r, _q, members) => (r as Redis).mget(...members),
};

/** The cluster layout: members are message numbers, bodies fields of one hash (TTL in another). */
export const CLUSTER_BROWSE: BrowseLayout = {
  pending: clusterKeys.pending,
  leased: clusterKeys.leased,
  tokens: clusterKeys.leaseTokens,
  attempts: clusterKeys.attempts,
  delayed: clusterKeys.delayed,
  origin: clusterKeys.origin,
  consumers: clusterKeys.consumers,
  reports: clusterKeys.consumerReports,
  keyOf: (q, member) => keys.message(q, member),
  bodies: async (r, q, members) => {
    const [bodies, expires] = await Promise.all([r.hmget(clusterKeys.bodies(q), ...members), r.hmget(clusterKeys.expires(q), ...members)]);
    const now = Date.now();
    return bodies.map((b, i) => (expires[i] && Number(expires[i]) <= now ? null : b));
  },
};

const scored = (flat: string[]): [string, number][] => {
  const out: [string, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, Number(flat[i + 1])]);
  return out;
};

export async function browseRedis(r: Client, L: BrowseLayout, queue: string, state: MessageState, offset: number, limit: number): Promise<BrowsePage> {
  let total: number;
  let page: [string, number | null][];
  let tokens = new Map<string, string>();
  if (state === 'ready') {
    total = await r.llen(L.pending(queue));
    // The tail is the oldest: positions offset.. from the tail, read back to front.
    const raw = offset >= total ? [] : await r.lrange(L.pending(queue), -(offset + limit), -(offset + 1));
    page = raw.reverse().map((m) => [m, null]);
  } else {
    const [leased, held] = await Promise.all([r.zrange(L.leased(queue), 0, MAX_BROWSE_SCAN - 1, 'WITHSCORES'), r.hgetall(L.tokens(queue))]);
    tokens = new Map(Object.entries(held));
    let entries = scored(leased).filter(([m]) => tokens.has(m) === (state === 'inflight'));
    if (state === 'delayed') {
      entries = [...entries, ...scored(await r.zrange(L.delayed(queue), 0, MAX_BROWSE_SCAN - 1, 'WITHSCORES'))].sort((a, b) => a[1] - b[1]);
    }
    total = entries.length;
    page = entries.slice(offset, offset + limit);
  }
  if (page.length === 0) return { total, messages: [] };
  const members = page.map(([m]) => m);
  const [bodies, attempts, origins] = await Promise.all([L.bodies(r, queue, members), r.hmget(L.attempts(queue), ...members), r.hmget(L.origin(queue), ...members)]);
  const messages = page.flatMap(([m, at], i) => {
    const value = bodies[i];
    if (value === null || value === undefined) return [];
    const key = L.keyOf(queue, m);
    const token = state === 'inflight' ? tokens.get(m) : undefined;
    // As redis-lease.ts hands receipts out: `<message number>.<token>`.
    const receipt = token === undefined ? null : `${key.slice(key.lastIndexOf(':') + 1)}.${token}`;
    return [{ key, value, attempts: Number(attempts[i] ?? 0), at, origin: origins[i] ?? null, receipt }];
  });
  return { total, messages };
}

/** Registrations not yet lapsed: members `<broker>/<consumer>` (keys.consumerMember) scored
 *  by their expiry, each with its broker's report (consumer-reports.ts) when there is one. */
export async function registeredConsumers(r: Client, L: BrowseLayout, queue: string): Promise<RegisteredConsumer[]> {
  const live = scored(await r.zrangebyscore(L.consumers(queue), `(${Date.now()}`, '+inf', 'WITHSCORES')).map(([member, expiresAt]) => {
    const slash = member.indexOf('/');
    return { broker: member.slice(0, slash), consumer: member.slice(slash + 1), expiresAt };
  });
  return withReports(r, L.reports, queue, live);
}
