/**
 * The SQLite schema and its migrations, versioned with `PRAGMA user_version`.
 * Migration i takes a file from version i to i + 1; all pending ones run in one transaction,
 * so a file is never left half-migrated. Never edit a shipped migration: append a new one.
 */
import type Database from 'better-sqlite3';
import { BrokerError } from '../../errors.js';

/**
 * v1. `queues` is the twin of QUEUESET, `<q>:UUID`, `<q>:queuepolicy` and `queuestat::<q>`:
 * a row may exist for a queue that is not registered (a policy or status set before its first
 * message), exactly as those Redis keys may exist without a QUEUESET entry.
 * `messages` is `<q>:queue` + `<q>:<n>` + `<q>:<n>:refcount` in one row. It is WITHOUT ROWID
 * clustered on (queue, seq): enqueue appends at the end of the queue's range and take reads and
 * deletes from its start, both one B-tree descent with no secondary index to maintain.
 * expires_at is an epoch in milliseconds (null: never expires).
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE queues (
     name       TEXT PRIMARY KEY,
     counter    INTEGER NOT NULL DEFAULT 0,
     registered INTEGER NOT NULL DEFAULT 0,
     policy     TEXT CHECK (policy IN ('broadcast', 'roundrobin')),
     status     TEXT CHECK (status IN ('started', 'stopped'))
   ) WITHOUT ROWID;
   CREATE TABLE messages (
     queue      TEXT NOT NULL,
     seq        INTEGER NOT NULL,
     value      TEXT NOT NULL,
     expires_at INTEGER,
     refcount   INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (queue, seq)
   ) WITHOUT ROWID;`,
  // v2. The broker's inbox (stream-contract.ts): messages a dispatch took out of `messages` and
  // that are not yet written to the sockets. A file has one broker, so one inbox. Rows are read
  // and acknowledged oldest first by rowid: a new rowid is max(rowid) + 1, always after every
  // row present, which is all the order needs (AUTOINCREMENT would add sqlite_sequence and a
  // write per insert for ids nobody remembers). consumer is null for broadcast.
  `CREATE TABLE inbox (
     id       INTEGER PRIMARY KEY,
     queue    TEXT NOT NULL,
     seq      INTEGER NOT NULL,
     value    TEXT NOT NULL,
     consumer TEXT,
     copies   INTEGER NOT NULL DEFAULT 1
   );`,
  // v3. Reliable delivery (lease-contract.ts), in the rows themselves: a leased message stays
  // in `messages` with leased_until (epoch ms) and lease_token set, so it keeps its seq and
  // sorts first again when the lease ends. attempts counts leases; visible_at (epoch ms) hides
  // a message nacked with a delay; origin is the queue a dead-lettered message died in (for
  // redrive). Every read of the queue skips rows with leased_until set or visible_at in the
  // future. The partial index holds only leased rows, so reaping never scans the queues.
  // The queue settings of section 6 live on `queues`, null meaning the default.
  `ALTER TABLE messages ADD COLUMN leased_until INTEGER;
   ALTER TABLE messages ADD COLUMN lease_token TEXT;
   ALTER TABLE messages ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE messages ADD COLUMN visible_at INTEGER;
   ALTER TABLE messages ADD COLUMN origin TEXT;
   CREATE INDEX messages_leases ON messages (queue, leased_until) WHERE leased_until IS NOT NULL;
   ALTER TABLE queues ADD COLUMN lease_seconds REAL;
   ALTER TABLE queues ADD COLUMN max_attempts INTEGER;
   ALTER TABLE queues ADD COLUMN dead_letter TEXT;`,
  // v4. Delay and dedup on enqueue (SPEC section 6). A delayed message is a row with visible_at
  // set at insert (the column of migration 3). `dedup` remembers, per queue and producer id,
  // the key of the first message enqueued with it until expires_at (epoch ms); expired rows are
  // ignored and swept by the next enqueue with a dedup id (the index keeps that cheap).
  `CREATE TABLE dedup (
     queue      TEXT NOT NULL,
     id         TEXT NOT NULL,
     key        TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (queue, id)
   ) WITHOUT ROWID;
   CREATE INDEX dedup_expiry ON dedup (expires_at);`,
  // v5. API keys (SPEC section 7): the twin of Redis `AUTHKEY:<hash>`, one row per key hash
  // (SHA-256 hex of the key: the key itself is never stored), its JSON record as the value.
  `CREATE TABLE authkeys (
     hash   TEXT PRIMARY KEY,
     record TEXT NOT NULL
   ) WITHOUT ROWID;`,
  // v6. Metrics (src/metrics): enqueued_at (epoch ms, SQLite's clock) dates each message for
  // the age of the oldest one; rows written before this migration, or returned from the inbox,
  // have none. dead_lettered counts the messages that died in this queue, for every broker.
  `ALTER TABLE messages ADD COLUMN enqueued_at INTEGER;
   ALTER TABLE queues ADD COLUMN dead_lettered INTEGER NOT NULL DEFAULT 0;`,
  // v7. The SQS API (sqs-contract.ts): a message's SQS metadata (attributes, id, send time) is a
  // column of its row, so every statement that deletes the row deletes it too; dead-lettering
  // and redrive copy it. `sqs_queues` holds each queue's SQS attributes and tags.
  `ALTER TABLE messages ADD COLUMN meta TEXT;
   CREATE TABLE sqs_queues (
     name TEXT PRIMARY KEY,
     meta TEXT NOT NULL
   ) WITHOUT ROWID;`,
  // v8. An inbox row keeps its message's attempts and expiry, so a message that goes back to
  // its queue from the inbox (a leased stream's turn, a consumer gone) keeps counting towards
  // max_attempts and still expires. The index finds a row by its message for requeue.
  `ALTER TABLE inbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE inbox ADD COLUMN expires_at INTEGER;
   CREATE INDEX inbox_message ON inbox (queue, seq);`,
  // v9. presque's bookkeeping (presque-contract.ts, sqlite-presque.ts), the twin of presque's
  // Redis keys: counters per queue, the worker registry (a row per worker and one per queue it
  // is on), and the uniq tokens, each with its job's key (null while the job is being enqueued,
  // since claimed_at, epoch ms).
  `CREATE TABLE presque_counters (
     queue     TEXT PRIMARY KEY,
     processed INTEGER NOT NULL DEFAULT 0,
     failed    INTEGER NOT NULL DEFAULT 0
   ) WITHOUT ROWID;
   CREATE TABLE presque_workers (
     worker    TEXT PRIMARY KEY,
     processed INTEGER NOT NULL DEFAULT 0,
     failed    INTEGER NOT NULL DEFAULT 0
   ) WITHOUT ROWID;
   CREATE TABLE presque_worker_queues (
     worker TEXT NOT NULL,
     queue  TEXT NOT NULL,
     PRIMARY KEY (worker, queue)
   ) WITHOUT ROWID;
   CREATE INDEX presque_queue_workers ON presque_worker_queues (queue, worker);
   CREATE TABLE presque_uniq (
     queue TEXT NOT NULL,
     token TEXT NOT NULL,
     key   TEXT,
     claimed_at INTEGER NOT NULL,
     PRIMARY KEY (queue, token)
   ) WITHOUT ROWID;
   CREATE INDEX presque_uniq_job ON presque_uniq (queue, key);`,
  // v10. When a queue's next delayed message is due (core/due-waker.ts): an index of the rows
  // that ever had a visible_at, so the answer is one seek, not a scan of the queue.
  `CREATE INDEX messages_visible ON messages (queue, visible_at) WHERE visible_at IS NOT NULL;`,
  // v11. An inbox row keeps its message's SQS metadata (the meta column of migration 7), so a
  // message that goes back to its queue from the inbox keeps its attributes.
  `ALTER TABLE inbox ADD COLUMN meta TEXT;`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the file to SCHEMA_VERSION; refuses a file written by a newer broker. */
export function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new BrokerError(
      'STORE_UNAVAILABLE',
      `the SQLite file has schema version ${current}, newer than this broker's ${SCHEMA_VERSION}`,
    );
  }
  if (current === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (let v = current; v < SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v]!);
    // PRAGMA takes no bound parameters; the value is our own integer.
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  })();
}
