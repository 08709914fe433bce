/**
 * MeterStore.rankQueues on SQLite: one statement ranks the registered queues by depth and sums
 * every figure over the others, so a capped scrape of 100,000 queues moves a thousand names
 * and one row of sums into JavaScript instead of an object per queue. One grouped pass over
 * the messages, then primary-key probes only (no automatic index over every queue). The
 * conditions are sqlite-meters.ts's; the rest's age is that of its oldest dated ready row
 * (per queue, meters dates the first ready row by seq: the same but for a redriven message).
 * Consumer registrations and reported long polls live in memory: the caller passes them.
 */
import type Database from 'better-sqlite3';
import type { MeterSums, QueueRanking } from '../meter-contract.js';
import { READY, READY_AT_NOW } from './sqlite-queue.js';

type Row = [top: string, queues: number, stopped: number, ready: number, inflight: number, delayed: number, dead: number,
  deadLettered: number, oldestAt: number | null];

/** What this broker keeps in memory, counted per queue (registrations, reported polls). */
export interface InMemoryCounts {
  /** Calls fn for every queue with a count. */
  each(fn: (queue: string, n: number) => void): void;
}

export function rankingOperations(db: Database.Database) {
  // cr: one grouped pass over the messages (depth is every row: ready + inflight + delayed),
  // kept for registered queues (a primary-key probe per queue with rows); t: the deepest of
  // them; then the sums over the registered queues not in t, and the ready rows of their
  // `<q>.dead` (a probe per dead letter). No automatic index is built over every queue.
  const rank = db.prepare<{ now: number; limit: number }, Row>(
    `WITH cr AS MATERIALIZED (
       SELECT c.* FROM (
         SELECT queue, count(*) AS depth, count(*) FILTER (WHERE ${READY_AT_NOW}) AS ready,
                count(*) FILTER (WHERE leased_until IS NOT NULL) AS inflight,
                count(*) FILTER (WHERE leased_until IS NULL AND visible_at > @now) AS delayed,
                min(enqueued_at) FILTER (WHERE ${READY_AT_NOW} AND enqueued_at IS NOT NULL) AS oldest_at
         FROM messages GROUP BY queue) c
       JOIN queues q ON q.name = c.queue AND q.registered = 1),
     t AS MATERIALIZED (SELECT queue AS name, depth FROM cr ORDER BY depth DESC, queue LIMIT @limit),
     r AS (SELECT coalesce(sum(ready), 0) AS ready, coalesce(sum(inflight), 0) AS inflight, coalesce(sum(delayed), 0) AS delayed,
                  min(oldest_at) AS oldest_at
           FROM cr WHERE queue NOT IN (SELECT name FROM t)),
     s AS (SELECT count(*) AS queues, coalesce(sum(status = 'stopped'), 0) AS stopped, coalesce(sum(dead_lettered), 0) AS dead_lettered
           FROM queues WHERE registered = 1 AND name NOT IN (SELECT name FROM t)),
     d AS (SELECT count(*) AS dead FROM messages m JOIN queues b ON b.name = substr(m.queue, 1, length(m.queue) - 5)
           WHERE substr(m.queue, -5) = '.dead' AND ${READY_AT_NOW} AND b.registered = 1 AND b.name NOT IN (SELECT name FROM t))
     SELECT (SELECT json_group_array(name ORDER BY depth DESC, name) FROM t), s.queues, s.stopped,
            r.ready, r.inflight, r.delayed, d.dead, s.dead_lettered, r.oldest_at
     FROM s, d, r`).raw();
  // Room left in the top: registered queues with no rows (depth 0), by name.
  const empty = db.prepare<{ limit: number }, string>(
    `SELECT name FROM queues q WHERE registered = 1 AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.queue = q.name)
     ORDER BY name LIMIT @limit`).pluck();
  const settings = db.prepare<[string], [string | null, number]>('SELECT status, dead_lettered FROM queues WHERE name = ?').raw();
  const deadOf = db.prepare<[string, number], number>(`SELECT count(*) FROM messages WHERE queue = ? AND ${READY}`).pluck();
  const registered = db.prepare<[string], number>('SELECT 1 FROM queues WHERE name = ? AND registered = 1').pluck();
  return (limit: number, now: number, consumers: InMemoryCounts, polls: InMemoryCounts): QueueRanking => {
    limit = Math.max(0, limit);
    const [json, queues, stopped, ready, inflight, delayed, dead, deadLettered, oldestAt] = rank.get({ now, limit })!;
    const top = JSON.parse(json) as string[];
    const rest: MeterSums = {
      queues, stopped, ready, inflight, delayed, dead, deadLettered, consumers: 0, polls: 0,
      oldestAgeMs: oldestAt === null ? null : Math.max(0, now - oldestAt),
    };
    if (top.length < limit && queues > 0) {
      // The empty queues taken into the top leave the sums: their only figures are these.
      for (const q of empty.all({ limit: limit - top.length })) {
        top.push(q);
        const [s, dl] = settings.get(q)!;
        rest.queues--;
        rest.stopped -= s === 'stopped' ? 1 : 0;
        rest.deadLettered -= dl;
        rest.dead -= deadOf.get(`${q}.dead`, now)!;
      }
    }
    if (rest.queues > 0) {
      // Few queues have either: each one's membership is a point lookup.
      const kept = new Set(top);
      const inRest = (q: string) => !kept.has(q) && registered.get(q) !== undefined;
      consumers.each((q, n) => (rest.consumers += inRest(q) ? n : 0));
      polls.each((q, n) => (rest.polls += inRest(q) ? n : 0));
    }
    return { top, rest };
  };
}
