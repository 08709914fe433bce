/**
 * The SQLite side of StreamStore (stream-contract.ts). One file has exactly one broker, so
 * the shared state of the contract collapses: consumer registrations and the round-robin
 * cursor live in this process's memory, and the one inbox is the `inbox` table, written in
 * the same transaction that takes the messages out of `messages` (nothing is ever in neither).
 */
import type Database from 'better-sqlite3';
import type { LeasedMessage, Policy, QueueStatus } from '../../wire.js';
import type { Delivery, DispatchResult, ReturnedMessage } from '../stream-contract.js';
import { READY, READY_AT_NOW, transaction } from './sqlite-queue.js';
import { newTokens } from './sqlite-lease.js';

interface MoveParams { queue: string; first: number; last: number; now: number; consumers: string | null; turn: number }
interface InboxRow { queue: string; seq: number; value: string; consumer: string | null; copies: number; expires_at: number | null; meta: string | null }

/** A message handed back (requeue, leaseDispatched), as the statements bind it. */
interface Returned { queue: string; seq: number; value: string; expiresAt: number | null; meta: string | null }
const returned = (queue: string, seq: number, m: ReturnedMessage): Returned =>
  ({ queue, seq, value: m.value, expiresAt: m.expiresAt ?? null, meta: m.meta ?? null });

const DIGITS = /^[1-9][0-9]{0,15}$/;

const toDelivery = (r: InboxRow): Delivery => {
  const d: Delivery = { key: `${r.queue}:${r.seq}`, value: r.value, queue: r.queue, copies: r.copies };
  if (r.consumer !== null) d.consumer = r.consumer;
  if (r.expires_at !== null) d.expiresAt = r.expires_at;
  if (r.meta !== null) d.meta = r.meta;
  return d;
};

/** This broker's live consumers by queue: consumer id → expiry (epoch ms). */
export class ConsumerRegistry {
  readonly #byQueue = new Map<string, Map<string, number>>();

  register(queue: string, ids: readonly string[], ttlMs: number, now: number): void {
    let consumers = this.#byQueue.get(queue);
    if (!consumers) this.#byQueue.set(queue, (consumers = new Map()));
    for (const id of ids) consumers.set(id, now + ttlMs);
  }

  unregister(queue: string, ids: readonly string[]): void {
    const consumers = this.#byQueue.get(queue);
    if (!consumers) return;
    for (const id of ids) consumers.delete(id);
    if (consumers.size === 0) this.#byQueue.delete(queue);
  }

  /** Unexpired consumer ids of `queue`, sorted (the round-robin order); drops expired ones. */
  /** Live registrations of `queue` with their expiry, by consumer id. */
  registrations(queue: string, now: number): [string, number][] {
    const ids = this.live(queue, now);
    const consumers = this.#byQueue.get(queue);
    return ids.map((id) => [id, consumers?.get(id) ?? now]);
  }

  live(queue: string, now: number): string[] {
    const consumers = this.#byQueue.get(queue);
    if (!consumers) return [];
    for (const [id, expiry] of consumers) if (expiry <= now) consumers.delete(id);
    if (consumers.size === 0) this.#byQueue.delete(queue);
    return [...consumers.keys()].sort();
  }

  /** True when `queue` has an unexpired consumer; no sorting, so cheap enough for every enqueue. */
  any(queue: string, now: number): boolean {
    for (const expiry of this.#byQueue.get(queue)?.values() ?? []) if (expiry > now) return true;
    return false;
  }

  /** The queue was deleted: its registrations go with it. */
  forget(queue: string): void {
    this.#byQueue.delete(queue);
  }

  clear(): void {
    this.#byQueue.clear();
  }

  /** Calls fn with each queue's count of unexpired registrations (a scrape's sums). */
  each(now: number, fn: (queue: string, n: number) => void): void {
    for (const queue of [...this.#byQueue.keys()]) {
      const n = this.live(queue, now).length;
      if (n > 0) fn(queue, n);
    }
  }
}

/** Index of the consumer after `last` in the sorted `ids`, wrapping around: one message per turn. */
function nextTurn(ids: readonly string[], last: string | undefined): number {
  const i = last === undefined ? -1 : ids.findIndex((id) => id > last);
  return i === -1 ? 0 : i;
}

/** Prepared statements and transactions of the stream operations. */
export function streamOperations(db: Database.Database) {
  const st = {
    status: db.prepare<[string], QueueStatus | null>('SELECT status FROM queues WHERE name = ?').pluck(),
    policy: db.prepare<[string], Policy | null>('SELECT policy FROM queues WHERE name = ?').pluck(),
    counter: db.prepare<[string], number>('SELECT counter FROM queues WHERE name = ?').pluck(),
    // The seq range of the queue's oldest `?` ready rows, and how many there are (leased and
    // delayed rows are skipped here, in moveRange and in deleteRange alike).
    headRange: db.prepare<[string, number, number], { first: number; last: number; n: number }>(
      `SELECT min(seq) AS first, max(seq) AS last, count(*) AS n
       FROM (SELECT seq FROM messages WHERE queue = ? AND ${READY} ORDER BY seq LIMIT ?)`),
    // The live rows of the range into the inbox, oldest first, in one statement (the values
    // never cross into JS). Roundrobin: @consumers is the JSON array of the sorted consumer ids
    // and the k-th row (from 0) goes to consumers[(@turn + k) mod n]; broadcast: null. (CAST: a
    // JS number binds as REAL, and '$[1.0]' is not a JSON path.) Measured ~20% less CPU than a
    // row-by-row INSERT from JS.
    moveRange: db.prepare<[MoveParams]>(
      `INSERT INTO inbox (queue, seq, value, attempts, expires_at, meta, consumer, copies)
       SELECT queue, seq, value, attempts, expires_at, meta,
              CASE WHEN @consumers IS NULL THEN NULL ELSE json_extract(@consumers,
                '$[' || ((CAST(@turn AS INTEGER) + row_number() OVER (ORDER BY seq) - 1) % json_array_length(@consumers)) || ']') END,
              1
       FROM messages
       WHERE queue = @queue AND seq BETWEEN @first AND @last AND (expires_at IS NULL OR expires_at > @now)
         AND ${READY_AT_NOW}
       ORDER BY seq`),
    deleteRange: db.prepare<[string, number, number, number]>(
      `DELETE FROM messages WHERE queue = ? AND seq BETWEEN ? AND ? AND ${READY}`),
    readInbox: db.prepare<[number], InboxRow>('SELECT queue, seq, value, consumer, copies, expires_at, meta FROM inbox ORDER BY id LIMIT ?'),
    ackInbox: db.prepare<[number]>('DELETE FROM inbox WHERE id IN (SELECT id FROM inbox ORDER BY id LIMIT ?)'),
    // Back under its own seq, so it sorts before everything enqueued after it, with the attempts,
    // expiry and SQS metadata its inbox row kept (if it is still there; else the expiry and
    // metadata the caller carried). OR IGNORE: a message already in the queue is not duplicated.
    requeue: db.prepare<Returned>(
      `INSERT OR IGNORE INTO messages (queue, seq, value, attempts, expires_at, meta)
       VALUES (@queue, @seq, @value,
               coalesce((SELECT attempts FROM inbox WHERE queue = @queue AND seq = @seq LIMIT 1), 0),
               coalesce((SELECT expires_at FROM inbox WHERE queue = @queue AND seq = @seq LIMIT 1), @expiresAt),
               coalesce((SELECT meta FROM inbox WHERE queue = @queue AND seq = @seq LIMIT 1), @meta))`),
    // As requeue, but leased (sqlite-lease.ts take): the row comes back with its lease on.
    leaseDispatched: db.prepare<Returned & { until: number; token: string }, number>(
      `INSERT OR IGNORE INTO messages (queue, seq, value, attempts, expires_at, meta, leased_until, lease_token)
       VALUES (@queue, @seq, @value,
               coalesce((SELECT attempts FROM inbox WHERE queue = @queue AND seq = @seq LIMIT 1), 0) + 1,
               coalesce((SELECT expires_at FROM inbox WHERE queue = @queue AND seq = @seq LIMIT 1), @expiresAt),
               coalesce((SELECT meta FROM inbox WHERE queue = @queue AND seq = @seq LIMIT 1), @meta), @until, @token)
       RETURNING attempts`).pluck(),
    recoverInbox: db.prepare(
      'INSERT OR IGNORE INTO messages (queue, seq, value, attempts, expires_at, meta) SELECT queue, seq, value, attempts, expires_at, meta FROM inbox'),
    clearInbox: db.prepare('DELETE FROM inbox'),
  };
  const readInbox = (read: number): Delivery[] => (read > 0 ? st.readInbox.all(read).map(toDelivery) : []);
  /** The seq of a key this queue issued (`<queue>:<n>`, n up to its counter), else undefined. */
  const issued = (queue: string, counter: number, key: string): number | undefined => {
    const n = key.startsWith(`${queue}:`) ? key.slice(queue.length + 1) : '';
    return DIGITS.test(n) && Number(n) <= counter ? Number(n) : undefined;
  };

  return {
    readInbox,
    ackInbox: (n: number): void => void (n > 0 && st.ackInbox.run(n)),

    /**
     * `consumers`: the live ones, sorted; `last`: the round-robin cursor. Returns the new
     * cursor (kept by the caller; a group that then fails to commit only shifts the rotation).
     */
    dispatch: transaction(db, (queue: string, count: number, read: number, now: number,
      consumers: readonly string[], last: string | undefined): DispatchResult & { last: string | undefined } => {
      let dispatched = 0;
      if (consumers.length > 0 && count > 0 && st.status.get(queue) !== 'stopped') {
        const roundrobin = st.policy.get(queue) === 'roundrobin';
        const params: MoveParams = {
          queue, first: 0, last: 0, now,
          consumers: roundrobin ? JSON.stringify(consumers) : null,
          turn: roundrobin ? nextTurn(consumers, last) : 0,
        };
        // As take: expired rows are dropped on the way, until `count` live ones or empty.
        while (dispatched < count) {
          const want = count - dispatched;
          const head = st.headRange.get(queue, now, want)!;
          if (head.n === 0) break;
          params.first = head.first;
          params.last = head.last;
          const moved = st.moveRange.run(params).changes;
          st.deleteRange.run(queue, head.first, head.last, now);
          dispatched += moved;
          if (roundrobin && moved > 0) {
            last = consumers[(params.turn + moved - 1) % consumers.length];
            params.turn = (params.turn + moved) % consumers.length;
          }
          if (head.n < want) break;
        }
      }
      return { dispatched, inbox: readInbox(read), last };
    }),

    /** Ignores keys this queue never issued (not `<queue>:<n>`, or n above its counter). */
    requeue: transaction(db, (queue: string, messages: readonly ReturnedMessage[]): number => {
      const counter = st.counter.get(queue) ?? 0;
      let added = 0;
      for (const m of messages) {
        const seq = issued(queue, counter, m.key);
        if (seq !== undefined) added += st.requeue.run(returned(queue, seq, m)).changes;
      }
      return added;
    }),

    /** stream-contract.ts leaseDispatched: a row still (or again) in `messages` is skipped. */
    leaseDispatched: transaction(db, (queue: string, messages: readonly ReturnedMessage[], leaseMs: number, now: number): LeasedMessage[] => {
      const counter = st.counter.get(queue) ?? 0;
      const tokens = newTokens(messages.length);
      const leased: LeasedMessage[] = [];
      messages.forEach((m, i) => {
        const seq = issued(queue, counter, m.key);
        const token = tokens[i]!;
        const attempts = seq === undefined ? undefined : st.leaseDispatched.get({ ...returned(queue, seq, m), until: now + leaseMs, token });
        if (attempts !== undefined) leased.push({ key: m.key, value: m.value, receipt: `${seq}.${token}`, attempts });
      });
      return leased;
    }),

    /** At open: whatever a previous process dispatched and never acked goes back to its queue. */
    recover: transaction(db, (): number => {
      const n = st.recoverInbox.run().changes;
      st.clearInbox.run();
      return n;
    }),
  };
}
