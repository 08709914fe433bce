/**
 * The SQLite side of SqsStore (sqs-contract.ts): message metadata is the `meta` column of the
 * message's row (schema migration 7), so it goes wherever the row goes; queue metadata is a
 * row of `sqs_queues`.
 */
import type Database from 'better-sqlite3';
import { transaction, type queueOperations } from './sqlite-queue.js';

type Enqueue = ReturnType<typeof queueOperations>['enqueue'];

export function sqsOperations(db: Database.Database, enqueue: Enqueue) {
  const st = {
    setMeta: db.prepare<[string, string, number]>('UPDATE messages SET meta = ? WHERE queue = ? AND seq = ?'),
    updateMeta: db.prepare<[string, string, number]>('UPDATE messages SET meta = ? WHERE queue = ? AND seq = ? AND meta IS NOT NULL'),
    meta: db.prepare<[string, number], string | null>('SELECT meta FROM messages WHERE queue = ? AND seq = ?').pluck(),
    queueMeta: db.prepare<[string], string>('SELECT meta FROM sqs_queues WHERE name = ?').pluck(),
    setQueueMeta: db.prepare<[string, string]>(
      'INSERT INTO sqs_queues (name, meta) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET meta = excluded.meta'),
    deleteQueueMeta: db.prepare<[string]>('DELETE FROM sqs_queues WHERE name = ?'),
    unregister: db.prepare<[string]>('UPDATE queues SET registered = 0 WHERE name = ?'),
    register: db.prepare<[string]>(
      `INSERT INTO queues (name, registered, status) VALUES (?, 1, 'started')
       ON CONFLICT (name) DO UPDATE SET registered = 1, status = coalesce(status, 'started')`),
  };
  return {
    /** The enqueue of sqlite-queue.ts and the metadata, one transaction. */
    enqueueWithMeta: transaction(db, (queue: string, value: string, meta: string, expiresAt: number | null, visibleAt: number | null,
      dedup: Parameters<Enqueue>[4]): { key: string; fresh: boolean } => {
      const r = enqueue(queue, [value], expiresAt, visibleAt, dedup);
      const key = r.keys[0]!;
      if (r.fresh) st.setMeta.run(meta, queue, Number(key.slice(queue.length + 1)));
      return { key, fresh: r.fresh };
    }),
    messageMeta: (queue: string, keys: readonly string[]): (string | null)[] =>
      keys.map((k) => (k.startsWith(queue + ':') ? (st.meta.get(queue, Number(k.slice(queue.length + 1))) ?? null) : null)),
    updateMeta: transaction(db, (queue: string, entries: readonly (readonly [string, string])[]): void => {
      for (const [k, meta] of entries) if (k.startsWith(queue + ':')) st.updateMeta.run(meta, queue, Number(k.slice(queue.length + 1)));
    }),
    getQueueMeta: (queue: string): string | null => st.queueMeta.get(queue) ?? null,
    setQueueMeta: (queue: string, meta: string | null): void =>
      void (meta === null ? st.deleteQueueMeta.run(queue) : st.setQueueMeta.run(queue, meta)),
    unregister: (queue: string): void => void st.unregister.run(queue),
    register: (queue: string): void => void st.register.run(queue),
  };
}
