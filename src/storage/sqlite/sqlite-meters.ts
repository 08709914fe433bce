/**
 * The SQLite side of MeterStore (meter-contract.ts) that no other read has: the age of a
 * queue's oldest ready message from
 * messages.enqueued_at of its first dated ready row (one index descent on (queue, seq)), and
 * queues.dead_lettered, counted by the dead-letter step of sqlite-lease.ts. Rows without a date
 * (older than migration 6, or back from the inbox) are skipped: the age is then a lower bound.
 *
 * For many queues at once, `everyQueue` reads the same figures in three grouped scans instead of
 * seven statements per queue: at 100,000 queues that is the difference between seconds and a
 * fraction of one. Per queue, a count walks that queue's rows anyway, so a scan of the whole
 * table does no more work when most queues are asked for. A page of the sorted queue list
 * (GET /stats/ reads them a page at a time) scans only its range of names.
 */
import type Database from 'better-sqlite3';
import type { QueueMeters } from '../meter-contract.js';

import { READY, READY_AT_NOW } from './sqlite-queue.js';

export type DatedMeters = Pick<QueueMeters, 'oldestAgeMs' | 'deadLettered'>;

/** A queue's stored figures from the grouped scans; consumers are the caller's (in memory). */
export type ScannedMeters = Omit<QueueMeters, 'dead' | 'consumers'>;

const NONE: ScannedMeters = { ready: 0, inflight: 0, delayed: 0, status: null, policy: null, oldestAgeMs: null, deadLettered: 0 };


/** From this many queues in name order, meters() scans their range of names. */
export const RANGE_METERS_FROM = 64;

/** The names from the first asked to the last `<q>.dead` of them, when asked in ascending
 *  order (a page of the queue list); undefined otherwise. */
export function nameRange(queues: readonly string[]): { lo: string; hi: string } | undefined {
  let hi = queues[0]!;
  for (let i = 1; i < queues.length; i++) {
    if (queues[i]! <= queues[i - 1]!) return undefined;
  }
  for (const q of queues) if (`${q}.dead` > hi) hi = `${q}.dead`;
  return { lo: queues[0]!, hi };
}

export function meterOperations(db: Database.Database) {
  const oldest = db.prepare<[string, number], number>(
    `SELECT enqueued_at FROM messages WHERE queue = ? AND ${READY} AND enqueued_at IS NOT NULL ORDER BY seq LIMIT 1`).pluck();
  const dead = db.prepare<[string], number>('SELECT dead_lettered FROM queues WHERE name = ?').pluck();
  // The same conditions as info.length (READY), lease inflight and queue delayed. Rows come
  // back as arrays (raw): at 100,000 queues, objects per row cost more than the scan.
  const counts = db.prepare<{ now: number }, [string, number, number, number]>(
    `SELECT queue, count(*) FILTER (WHERE ${READY_AT_NOW}),
            count(*) FILTER (WHERE leased_until IS NOT NULL),
            count(*) FILTER (WHERE leased_until IS NULL AND visible_at > @now)
     FROM messages GROUP BY queue`).raw();
  // A bare column beside min() takes its value from the row holding the minimum.
  const oldestAll = db.prepare<{ now: number }, [string, number, number]>(
    `SELECT queue, enqueued_at, min(seq) FROM messages WHERE ${READY_AT_NOW} AND enqueued_at IS NOT NULL GROUP BY queue`).raw();
  const settings = db.prepare<[], [string, QueueMeters['status'], QueueMeters['policy'], number]>(
    'SELECT name, status, policy, dead_lettered FROM queues').raw();
  // The same three over a range of names (a page of the sorted queue list): primary-key ranges.
  type Range = { now: number; lo: string; hi: string };
  const countsIn = db.prepare<Range, [string, number, number, number]>(
    `SELECT queue, count(*) FILTER (WHERE ${READY_AT_NOW}),
            count(*) FILTER (WHERE leased_until IS NOT NULL),
            count(*) FILTER (WHERE leased_until IS NULL AND visible_at > @now)
     FROM messages WHERE queue BETWEEN @lo AND @hi GROUP BY queue`).raw();
  const oldestIn = db.prepare<Range, [string, number, number]>(
    `SELECT queue, enqueued_at, min(seq) FROM messages WHERE queue BETWEEN @lo AND @hi AND ${READY_AT_NOW} AND enqueued_at IS NOT NULL
     GROUP BY queue`).raw();
  const settingsIn = db.prepare<Range, [string, QueueMeters['status'], QueueMeters['policy'], number]>(
    'SELECT name, status, policy, dead_lettered FROM queues WHERE name BETWEEN @lo AND @hi').raw();
  return {
    meters: (queues: readonly string[], now: number): DatedMeters[] =>
      queues.map((q) => {
        const at = oldest.get(q, now);
        return { oldestAgeMs: at === undefined ? null : Math.max(0, now - at), deadLettered: dead.get(q) ?? 0 };
      }),
    /** Every queue that has a row or a message, by name (only those from lo to hi when given);
     *  absent ones read as NONE. */
    everyQueue: (now: number, range?: { lo: string; hi: string }): { get(queue: string): ScannedMeters } => {
      const p = { now, lo: range?.lo ?? '', hi: range?.hi ?? '' };
      const byQueue = new Map<string, ScannedMeters>();
      const of = (q: string) => {
        let m = byQueue.get(q);
        if (!m) byQueue.set(q, (m = { ready: 0, inflight: 0, delayed: 0, status: null, policy: null, oldestAgeMs: null, deadLettered: 0 }));
        return m;
      };
      for (const [name, status, policy, deadLettered] of range ? settingsIn.all(p) : settings.all()) {
        const m = of(name);
        m.status = status;
        m.policy = policy;
        m.deadLettered = deadLettered;
      }
      for (const [queue, ready, inflight, delayed] of range ? countsIn.all(p) : counts.all({ now })) {
        const m = of(queue);
        m.ready = ready;
        m.inflight = inflight;
        m.delayed = delayed;
      }
      for (const [queue, at] of range ? oldestIn.all(p) : oldestAll.all({ now })) of(queue).oldestAgeMs = Math.max(0, now - at);
      return { get: (q) => byQueue.get(q) ?? NONE };
    },
  };
}
