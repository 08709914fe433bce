/**
 * Moving a leased message to another queue on SQLite (lease-contract.ts moveLeased): one
 * transaction ends the lease, deletes the message and inserts it at the end of the target as
 * a new message (its expiry and SQS metadata kept, attempts afresh). A stale receipt changes
 * nothing; a message whose expiry has passed is dropped.
 */
import type Database from 'better-sqlite3';
import type { ReceiptOutcome } from '../lease-contract.js';
import { BUMP_COUNTER, NOW_MS, transaction } from './sqlite-queue.js';
import { parseReceipt, type Touched } from './sqlite-lease.js';

interface HeldRow { value: string; expires_at: number | null; meta: string | null }

export function moveOperation(db: Database.Database) {
  const st = {
    held: db.prepare<[string, number, string, number], HeldRow>(
      'SELECT value, expires_at, meta FROM messages WHERE queue = ? AND seq = ? AND lease_token = ? AND leased_until > ?'),
    deleteOne: db.prepare<[string, number]>('DELETE FROM messages WHERE queue = ? AND seq = ?'),
    bumpCounter: db.prepare<[string, number], number>(BUMP_COUNTER).pluck(),
    insert: db.prepare<[string, number, string, number | null, string | null]>(
      `INSERT INTO messages (queue, seq, value, expires_at, meta, enqueued_at) VALUES (?, ?, ?, ?, ?, ${NOW_MS})`),
  };
  return transaction(db, (queue: string, receipt: string, target: string, now: number, touched: Touched): ReceiptOutcome => {
    const r = parseReceipt(receipt);
    const row = r && st.held.get(queue, r.seq, r.token, now);
    if (!r || !row) return 'stale';
    st.deleteOne.run(queue, r.seq);
    if (row.expires_at !== null && row.expires_at <= now) return 'ok';
    st.insert.run(target, st.bumpCounter.get(target, 1)!, row.value, row.expires_at, row.meta);
    touched.add(target);
    return 'ok';
  });
}
