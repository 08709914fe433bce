/**
 * The SQLite side of MeterStore (meter-contract.ts) that no other read has: the age of a
 * queue's oldest ready message from
 * messages.enqueued_at of its first dated ready row (one index descent on (queue, seq)), and
 * queues.dead_lettered, counted by the dead-letter step of sqlite-lease.ts. Rows without a date
 * (older than migration 6, or back from the inbox) are skipped: the age is then a lower bound.
 */
import type Database from 'better-sqlite3';
import type { QueueMeters } from '../meter-contract.js';

export type DatedMeters = Pick<QueueMeters, 'oldestAgeMs' | 'deadLettered'>;
import { READY } from './sqlite-queue.js';

export function meterOperations(db: Database.Database) {
  const oldest = db.prepare<[string, number], number>(
    `SELECT enqueued_at FROM messages WHERE queue = ? AND ${READY} AND enqueued_at IS NOT NULL ORDER BY seq LIMIT 1`).pluck();
  const dead = db.prepare<[string], number>('SELECT dead_lettered FROM queues WHERE name = ?').pluck();
  return {
    meters: (queues: readonly string[], now: number): DatedMeters[] =>
      queues.map((q) => {
        const at = oldest.get(q, now);
        return { oldestAgeMs: at === undefined ? null : Math.max(0, now - at), deadLettered: dead.get(q) ?? 0 };
      }),
  };
}
