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
 * table does no more work when most queues are asked for.
 */
import type Database from 'better-sqlite3';
import type { QueueMeters } from '../meter-contract.js';

import { READY, READY_AT_NOW } from './sqlite-queue.js';

export type DatedMeters = Pick<QueueMeters, 'oldestAgeMs' | 'deadLettered'>;

/** A queue's stored figures from the grouped scans; consumers are the caller's (in memory). */
export type ScannedMeters = Omit<QueueMeters, 'dead' | 'consumers'>;

const NONE: ScannedMeters = { ready: 0, inflight: 0, delayed: 0, status: null, policy: null, oldestAgeMs: null, deadLettered: 0 };

interface CountRow { queue: string; ready: number; inflight: number; delayed: number }
interface SettingsRow { name: string; status: QueueMeters['status']; policy: QueueMeters['policy']; dead_lettered: number }

export function meterOperations(db: Database.Database) {
  const oldest = db.prepare<[string, number], number>(
    `SELECT enqueued_at FROM messages WHERE queue = ? AND ${READY} AND enqueued_at IS NOT NULL ORDER BY seq LIMIT 1`).pluck();
  const dead = db.prepare<[string], number>('SELECT dead_lettered FROM queues WHERE name = ?').pluck();
  // The same conditions as info.length (READY), lease inflight and queue delayed.
  const counts = db.prepare<{ now: number }, CountRow>(
    `SELECT queue, count(*) FILTER (WHERE ${READY_AT_NOW}) AS ready,
            count(*) FILTER (WHERE leased_until IS NOT NULL) AS inflight,
            count(*) FILTER (WHERE leased_until IS NULL AND visible_at > @now) AS delayed
     FROM messages GROUP BY queue`);
  // A bare column beside min() takes its value from the row holding the minimum.
  const oldestAll = db.prepare<{ now: number }, { queue: string; at: number }>(
    `SELECT queue, enqueued_at AS at, min(seq) FROM messages WHERE ${READY_AT_NOW} AND enqueued_at IS NOT NULL GROUP BY queue`);
  const settings = db.prepare<[], SettingsRow>('SELECT name, status, policy, dead_lettered FROM queues');
  return {
    meters: (queues: readonly string[], now: number): DatedMeters[] =>
      queues.map((q) => {
        const at = oldest.get(q, now);
        return { oldestAgeMs: at === undefined ? null : Math.max(0, now - at), deadLettered: dead.get(q) ?? 0 };
      }),
    /** Every queue that has a row or a message, by name; absent ones read as NONE. */
    everyQueue: (now: number): { get(queue: string): ScannedMeters } => {
      const byQueue = new Map<string, ScannedMeters>();
      const of = (q: string) => {
        let m = byQueue.get(q);
        if (!m) byQueue.set(q, (m = { ...NONE }));
        return m;
      };
      for (const r of settings.iterate()) Object.assign(of(r.name), { status: r.status, policy: r.policy, deadLettered: r.dead_lettered });
      for (const r of counts.iterate({ now })) Object.assign(of(r.queue), { ready: r.ready, inflight: r.inflight, delayed: r.delayed });
      for (const r of oldestAll.iterate({ now })) of(r.queue).oldestAgeMs = Math.max(0, now - r.at);
      return { get: (q) => byQueue.get(q) ?? NONE };
    },
  };
}
