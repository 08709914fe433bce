/** presque's bookkeeping on SQLite (presque-contract.ts): the presque_* tables of schema.ts. */
import type Database from 'better-sqlite3';
import { UNIQ_CLAIM_MS, type PresqueCounters, type PresqueStore } from '../presque-contract.js';
import { transaction } from './sqlite-queue.js';

const DIGITS = /^[1-9][0-9]{0,15}$/;

export function presqueOperations(db: Database.Database) {
  const st = {
    count: db.prepare<{ queue: string; processed: number; failed: number }>(
      `INSERT INTO presque_counters (queue, processed, failed) VALUES (@queue, @processed, @failed)
       ON CONFLICT (queue) DO UPDATE SET processed = processed + excluded.processed, failed = failed + excluded.failed`),
    credit: db.prepare<{ worker: string; processed: number; failed: number }>(
      'UPDATE presque_workers SET processed = processed + @processed, failed = failed + @failed WHERE worker = @worker'),
    counters: db.prepare<[string], PresqueCounters>('SELECT processed, failed FROM presque_counters WHERE queue = ?'),
    held: db.prepare<[string, string], { key: string | null; claimed_at: number }>('SELECT key, claimed_at FROM presque_uniq WHERE queue = ? AND token = ?'),
    claim: db.prepare<[string, string, number]>(
      `INSERT INTO presque_uniq (queue, token, key, claimed_at) VALUES (?, ?, NULL, ?)
       ON CONFLICT (queue, token) DO UPDATE SET key = NULL, claimed_at = excluded.claimed_at`),
    alive: db.prepare<[string, number], number>('SELECT 1 FROM messages WHERE queue = ? AND seq = ?').pluck(),
    bind: db.prepare<[string, string, string]>('UPDATE presque_uniq SET key = ? WHERE queue = ? AND token = ?'),
    drop: db.prepare<[string, string]>('DELETE FROM presque_uniq WHERE queue = ? AND token = ? AND key IS NULL'),
    release: db.prepare<[string, string]>('DELETE FROM presque_uniq WHERE queue = ? AND key = ?'),
    purgeCounters: db.prepare<[string]>('DELETE FROM presque_counters WHERE queue = ?'),
    purgeUniq: db.prepare<[string]>('DELETE FROM presque_uniq WHERE queue = ?'),
    register: db.prepare<[string]>(
      'INSERT INTO presque_workers (worker) VALUES (?) ON CONFLICT (worker) DO UPDATE SET processed = 0, failed = 0'),
    join: db.prepare<[string, string]>('INSERT OR IGNORE INTO presque_worker_queues (worker, queue) VALUES (?, ?)'),
    leave: db.prepare<[string, string]>('DELETE FROM presque_worker_queues WHERE worker = ? AND queue = ?'),
    onAny: db.prepare<[string], number>('SELECT 1 FROM presque_worker_queues WHERE worker = ? LIMIT 1').pluck(),
    forget: db.prepare<[string]>('DELETE FROM presque_workers WHERE worker = ?'),
    all: db.prepare<[], string>('SELECT worker FROM presque_workers ORDER BY worker').pluck(),
    ofQueue: db.prepare<[string], string>('SELECT worker FROM presque_worker_queues WHERE queue = ? ORDER BY worker').pluck(),
    worker: db.prepare<[string], PresqueCounters>('SELECT processed, failed FROM presque_workers WHERE worker = ?'),
  };
  const isAlive = (queue: string, key: string): boolean => {
    const n = key.startsWith(`${queue}:`) ? key.slice(queue.length + 1) : '';
    return DIGITS.test(n) && st.alive.get(queue, Number(n)) === 1;
  };
  const credit = (worker: string | undefined, processed: number, failed: number): void => {
    if (worker !== undefined) st.credit.run({ worker, processed, failed });
  };
  return {
    fetched: transaction(db, (queue: string, keys: readonly string[], worker: string | undefined): void => {
      if (keys.length === 0) return;
      st.count.run({ queue, processed: keys.length, failed: 0 });
      credit(worker, keys.length, 0);
      for (const key of keys) st.release.run(queue, key);
    }),
    failed: transaction(db, (queue: string, worker: string | undefined): void => {
      st.count.run({ queue, processed: 0, failed: 1 });
      credit(worker, 0, 1);
    }),
    counters: (queue: string): PresqueCounters => st.counters.get(queue) ?? { processed: 0, failed: 0 },
    /** Held by a job still in `messages` (pending, delayed or leased), or by a recent claim. */
    claimUniq: transaction(db, (queue: string, token: string, now: number): boolean => {
      const held = st.held.get(queue, token);
      if (held) {
        if (held.key === null ? now - held.claimed_at < UNIQ_CLAIM_MS : isAlive(queue, held.key)) return false;
      }
      st.claim.run(queue, token, now);
      return true;
    }),
    /** Tied when the job's row is still there; freed when it was fetched already. */
    bindUniq: transaction(db, (queue: string, token: string, key: string): void => {
      if (isAlive(queue, key)) st.bind.run(key, queue, token);
      else st.drop.run(queue, token);
    }),
    dropUniq: (queue: string, token: string): void => void st.drop.run(queue, token),
    purged: transaction(db, (queue: string): void => {
      st.purgeCounters.run(queue);
      st.purgeUniq.run(queue);
    }),
    register: transaction(db, (worker: string, queue: string): void => {
      st.register.run(worker);
      st.join.run(worker, queue);
    }),
    unregister: transaction(db, (worker: string, queue: string): void => {
      st.leave.run(worker, queue);
      if (st.onAny.get(worker) === undefined) st.forget.run(worker);
    }),
    workers: (queue?: string): string[] => (queue === undefined ? st.all.all() : st.ofQueue.all(queue)),
    worker: (id: string): PresqueCounters | null => st.worker.get(id) ?? null,
  };
}

/** The PresqueStore of a SQLite store: every operation in the store's group commit (`run`). */
export function sqlitePresque(db: Database.Database, run: <T>(fn: () => T) => Promise<T>): PresqueStore {
  const ops = presqueOperations(db);
  return {
    fetched: (queue, keys, worker) => run(() => ops.fetched(queue, keys, worker)),
    failed: (queue, worker) => run(() => ops.failed(queue, worker)),
    counters: (queue) => run(() => ops.counters(queue)),
    claimUniq: (queue, token) => run(() => ops.claimUniq(queue, token, Date.now())),
    bindUniq: (queue, token, key) => run(() => ops.bindUniq(queue, token, key)),
    dropUniq: (queue, token) => run(() => ops.dropUniq(queue, token)),
    purged: (queue) => run(() => ops.purged(queue)),
    register: (worker, queue) => run(() => ops.register(worker, queue)),
    unregister: (worker, queue) => run(() => ops.unregister(worker, queue)),
    workers: (queue) => run(() => ops.workers(queue)),
    worker: (id) => run(() => ops.worker(id)),
  };
}
