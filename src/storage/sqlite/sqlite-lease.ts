/**
 * The SQLite side of LeaseStore (lease-contract.ts, SPEC.md section 6). A leased message stays
 * in `messages` under its own seq with leased_until/lease_token set (schema migration 3), so
 * the read paths of sqlite-queue.ts and sqlite-stream.ts skip it, and when its lease ends it is
 * simply visible again, first in its queue because its seq is older than anything enqueued
 * since. Each operation is one transaction (a savepoint of the store's group commit); the
 * caller passes `now` (epoch ms).
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { QueueStatus } from '../../wire.js';
import { FIFO_SCAN, isFifoQueue, type LeasedMessage, type LeaseResult, type QueueSettings, type ReceiptOutcome } from '../lease-contract.js';
import { BUMP_COUNTER, NOW_MS, READY, transaction } from './sqlite-queue.js';

interface HeadRow { seq: number; value: string; expires_at: number | null }
interface FifoRow extends HeadRow { visible_at: number | null; grp: string | null }
interface LeasedRow { seq: number; value: string; expires_at: number | null; attempts: number; meta: string | null }
interface SettingsRow { lease_seconds: number | null; max_attempts: number | null; dead_letter: string | null }
interface DeadRow { seq: number; value: string; expires_at: number | null; origin: string | null; meta: string | null }

/** `<n>.<token>`: n as a key's, the token base64url (no dot). Anything else is stale. */
const RECEIPT = /^([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{1,64})$/;
const TOKEN_BYTES = 12;
/** Rows a FIFO lease reads at a time. */
const FIFO_PAGE = 50;

/** `n` fresh lease tokens, base64url (sqlite-stream.ts leases too). */
export function newTokens(n: number): string[] {
  const bytes = randomBytes(TOKEN_BYTES * n);
  return Array.from({ length: n }, (_, i) => bytes.subarray(i * TOKEN_BYTES, (i + 1) * TOKEN_BYTES).toString('base64url'));
}

export function parseReceipt(receipt: string): { seq: number; token: string } | undefined {
  const m = RECEIPT.exec(receipt);
  return m ? { seq: Number(m[1]), token: m[2]! } : undefined;
}

/** Queues that got messages back (returned, nacked, dead-lettered, redriven): the store
 *  announces them after the commit, as an enqueue. */
export type Touched = Set<string>;

/** Prepared statements and transactions of the lease operations. */
export function leaseOperations(db: Database.Database) {
  const st = {
    status: db.prepare<[string], QueueStatus | null>('SELECT status FROM queues WHERE name = ?').pluck(),
    settings: db.prepare<[string], SettingsRow>(
      'SELECT lease_seconds, max_attempts, dead_letter FROM queues WHERE name = ?'),
    // Replaces all three, creating the row unregistered (as setPolicy does).
    setSettings: db.prepare<[string, number | null, number | null, string | null]>(
      `INSERT INTO queues (name, lease_seconds, max_attempts, dead_letter) VALUES (?, ?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET lease_seconds = excluded.lease_seconds,
         max_attempts = excluded.max_attempts, dead_letter = excluded.dead_letter`),
    head: db.prepare<[string, number, number], HeadRow>(
      `SELECT seq, value, expires_at FROM messages WHERE queue = ? AND ${READY} ORDER BY seq LIMIT ?`),
    // FIFO queues: the groups of the leased messages (the partial index), then the oldest rows
    // not leased, delayed ones included (a delayed message holds its group back too).
    heldGroups: db.prepare<[string], string | null>(
      `SELECT DISTINCT json_extract(meta, '$.g') FROM messages
       WHERE queue = ? AND leased_until IS NOT NULL AND meta IS NOT NULL`).pluck(),
    fifoScan: db.prepare<[string, number, number], FifoRow>(
      `SELECT seq, value, expires_at, visible_at, json_extract(meta, '$.g') AS grp FROM messages
       WHERE queue = ? AND leased_until IS NULL AND seq > ? ORDER BY seq LIMIT ?`),
    deleteOne: db.prepare<[string, number]>('DELETE FROM messages WHERE queue = ? AND seq = ?'),
    take: db.prepare<[number, string, string, number], number>(
      `UPDATE messages SET leased_until = ?, lease_token = ?, attempts = attempts + 1, visible_at = NULL
       WHERE queue = ? AND seq = ? RETURNING attempts`).pluck(),
    // The lease a receipt names, only while it runs: after its end the receipt is stale.
    held: db.prepare<[string, number, string, number], LeasedRow>(
      `SELECT seq, value, expires_at, attempts, meta FROM messages
       WHERE queue = ? AND seq = ? AND lease_token = ? AND leased_until > ?`),
    ack: db.prepare<[string, number, string, number]>(
      'DELETE FROM messages WHERE queue = ? AND seq = ? AND lease_token = ? AND leased_until > ?'),
    extend: db.prepare<[number, string, number, string, number]>(
      `UPDATE messages SET leased_until = ?
       WHERE queue = ? AND seq = ? AND lease_token = ? AND leased_until > ?`),
    release: db.prepare<[number | null, string, number]>(
      'UPDATE messages SET leased_until = NULL, lease_token = NULL, visible_at = ? WHERE queue = ? AND seq = ?'),
    expired: db.prepare<[string, number], LeasedRow>(
      `SELECT seq, value, expires_at, attempts, meta FROM messages
       WHERE queue = ? AND leased_until IS NOT NULL AND leased_until <= ? ORDER BY seq`),
    queuesExpired: db.prepare<[number], string>(
      'SELECT DISTINCT queue FROM messages WHERE leased_until IS NOT NULL AND leased_until <= ?').pluck(),
    inflight: db.prepare<[string], number>(
      'SELECT count(*) FROM messages WHERE queue = ? AND leased_until IS NOT NULL').pluck(),
    bumpCounter: db.prepare<[string, number], number>(BUMP_COUNTER).pluck(),
    insert: db.prepare<[string, number, string, number | null, string | null, string | null]>(
      `INSERT INTO messages (queue, seq, value, expires_at, origin, meta, enqueued_at) VALUES (?, ?, ?, ?, ?, ?, ${NOW_MS})`),
    countDead: db.prepare<[string]>('UPDATE queues SET dead_lettered = dead_lettered + 1 WHERE name = ?'),
    // Redrive takes every message that is not leased, delayed ones included.
    deadRows: db.prepare<[string], DeadRow>(
      'SELECT seq, value, expires_at, origin, meta FROM messages WHERE queue = ? AND leased_until IS NULL ORDER BY seq'),
  };

  const settingsOf = (queue: string): QueueSettings => {
    const r = st.settings.get(queue);
    const s: QueueSettings = {};
    if (r?.lease_seconds != null) s.leaseSeconds = r.lease_seconds;
    if (r?.max_attempts != null) s.maxAttempts = r.max_attempts;
    if (r?.dead_letter != null) s.deadLetter = r.dead_letter;
    return s;
  };

  /** The message becomes a new message of the dead-letter queue, remembering where it died. */
  const deadLetter = (queue: string, row: LeasedRow, settings: QueueSettings, touched: Touched): void => {
    const dead = settings.deadLetter ?? `${queue}.dead`;
    const n = st.bumpCounter.get(dead, 1)!;
    st.insert.run(dead, n, row.value, row.expires_at, queue, row.meta);
    st.deleteOne.run(queue, row.seq);
    st.countDead.run(queue);
    touched.add(dead);
  };

  const dies = (row: LeasedRow, settings: QueueSettings) =>
    settings.maxAttempts !== undefined && row.attempts >= settings.maxAttempts;

  /** Ends the expired leases of one queue: back to the queue, or to the dead letters. */
  const reapQueue = (queue: string, now: number, touched: Touched): { returned: number; dead: number } => {
    const rows = st.expired.all(queue, now);
    if (rows.length === 0) return { returned: 0, dead: 0 };
    const settings = settingsOf(queue);
    let returned = 0;
    let dead = 0;
    for (const row of rows) {
      if (dies(row, settings)) {
        deadLetter(queue, row, settings, touched);
        dead++;
      } else {
        st.release.run(null, queue, row.seq);
        returned++;
      }
    }
    if (returned > 0) touched.add(queue);
    return { returned, dead };
  };

  const leaseOne = (queue: string, r: HeadRow, until: number, token: string): LeasedMessage => {
    const attempts = st.take.get(until, token, queue, r.seq)!;
    return { key: `${queue}:${r.seq}`, value: r.value, receipt: `${r.seq}.${token}`, attempts };
  };

  /** lease on a FIFO queue (lease-contract.ts): a group with a message out is held back. */
  const leaseFifo = (queue: string, count: number, until: number, now: number): LeaseResult => {
    const held = new Set(st.heldGroups.all(queue));
    const messages: LeasedMessage[] = [];
    let expired = 0;
    let scanned = 0;
    let after = 0;
    // In pages, so that a lease that finds its messages early reads no further.
    while (messages.length < count && scanned < FIFO_SCAN) {
      const rows = st.fifoScan.all(queue, after, Math.min(FIFO_SCAN - scanned, FIFO_PAGE));
      if (rows.length === 0) break;
      scanned += rows.length;
      after = rows[rows.length - 1]!.seq;
      for (const r of rows) {
        if (messages.length >= count) break;
        if (r.grp !== null && held.has(r.grp)) continue;
        if (r.visible_at !== null && r.visible_at > now) {
          if (r.grp !== null) held.add(r.grp);
          continue;
        }
        if (r.expires_at !== null && r.expires_at <= now) {
          st.deleteOne.run(queue, r.seq);
          expired++;
          continue;
        }
        messages.push(leaseOne(queue, r, until, newTokens(1)[0]!));
      }
    }
    return { messages, stopped: false, expired };
  };

  return {
    getSettings: settingsOf,
    setSettings: (queue: string, s: QueueSettings): void =>
      void st.setSettings.run(queue, s.leaseSeconds ?? null, s.maxAttempts ?? null, s.deadLetter ?? null),
    inflight: (queues: readonly string[]): number[] => queues.map((q) => st.inflight.get(q) ?? 0),

    /** Reaps the queue first; expired bodies are dropped and counted, as take does. */
    lease: transaction(db, (queue: string, count: number, leaseMs: number, now: number, touched: Touched): LeaseResult => {
      reapQueue(queue, now, touched);
      if (st.status.get(queue) === 'stopped') return { messages: [], stopped: true, expired: 0 };
      const until = now + leaseMs;
      if (isFifoQueue(queue)) return leaseFifo(queue, count, until, now);
      const messages: LeasedMessage[] = [];
      let expired = 0;
      while (messages.length < count) {
        const want = count - messages.length;
        const rows = st.head.all(queue, now, want);
        const tokens = newTokens(rows.length);
        rows.forEach((r, i) => {
          if (r.expires_at !== null && r.expires_at <= now) {
            st.deleteOne.run(queue, r.seq);
            expired++;
            return;
          }
          const token = tokens[i]!;
          const attempts = st.take.get(until, token, queue, r.seq)!;
          messages.push({ key: `${queue}:${r.seq}`, value: r.value, receipt: `${r.seq}.${token}`, attempts });
        });
        if (rows.length < want) break;
      }
      return { messages, stopped: false, expired };
    }),

    ack: (queue: string, receipt: string, now: number): ReceiptOutcome => {
      const r = parseReceipt(receipt);
      return r && st.ack.run(queue, r.seq, r.token, now).changes > 0 ? 'ok' : 'stale';
    },

    extend: (queue: string, receipt: string, leaseMs: number, now: number): ReceiptOutcome => {
      const r = parseReceipt(receipt);
      return r && st.extend.run(now + leaseMs, queue, r.seq, r.token, now).changes > 0 ? 'ok' : 'stale';
    },

    nack: transaction(db, (queue: string, receipt: string, delayMs: number, now: number, touched: Touched): ReceiptOutcome => {
      const r = parseReceipt(receipt);
      const row = r && st.held.get(queue, r.seq, r.token, now);
      if (!row) return 'stale';
      const settings = settingsOf(queue);
      if (dies(row, settings)) {
        deadLetter(queue, row, settings, touched);
      } else {
        st.release.run(delayMs > 0 ? now + delayMs : null, queue, row.seq);
        if (delayMs <= 0) touched.add(queue);
      }
      return 'ok';
    }),

    reap: transaction(db, (queues: readonly string[] | undefined, now: number, touched: Touched) => {
      let returned = 0;
      let dead = 0;
      for (const q of queues ?? st.queuesExpired.all(now)) {
        const r = reapQueue(q, now, touched);
        returned += r.returned;
        dead += r.dead;
      }
      return { returned, dead };
    }),

    /**
     * Every message not leased goes back, in order, as new messages of the queue it died in
     * (its origin; for a message with none, `<q>` of a `<q>.dead` name, else it stays), or all
     * to `destination` when given.
     * Expired bodies are dropped and not counted.
     */
    redrive: transaction(db, (deadQueue: string, destination: string | undefined, now: number, touched: Touched): number => {
      const fallback = deadQueue.endsWith('.dead') ? deadQueue.slice(0, -'.dead'.length) : null;
      let moved = 0;
      for (const row of st.deadRows.all(deadQueue)) {
        const target = destination ?? row.origin ?? fallback;
        if (target === null || target === deadQueue) continue;
        st.deleteOne.run(deadQueue, row.seq);
        if (row.expires_at !== null && row.expires_at <= now) continue;
        const n = st.bumpCounter.get(target, 1)!;
        st.insert.run(target, n, row.value, row.expires_at, null, row.meta);
        touched.add(target);
        moved++;
      }
      return moved;
    }),
  };
}
