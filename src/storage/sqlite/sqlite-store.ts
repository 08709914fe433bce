/**
 * The embedded QueueStore and StreamStore: one SQLite file (or `:memory:`) owned by one broker
 * process. better-sqlite3 is synchronous: each operation is one synchronous function (a
 * savepoint, or a single statement), named after its Redis script (enqueue, take, softget...),
 * and the operations of one event-loop turn commit together (group-commit.ts); every method
 * settles after that commit. Nothing else can interleave inside an operation: that is this
 * backend's atomicity. The stream side is in sqlite-stream.ts, leases (reliable delivery) in
 * sqlite-lease.ts, the event notifier in sqlite-events.ts.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { BrokerError } from '../../errors.js';
import type { Message, Policy, QueueStatus } from '../../wire.js';
import {
  DEDUP_SECONDS, type EnqueueOptions, type QueueInfo, type QueueStore, type SoftGetResult, type StoreKind, type TakeResult,
} from '../contract.js';
import type { DispatchResult, Delivery, ReturnedMessage, StoreEvent, StreamStore } from '../stream-contract.js';
import type { LeasedMessage, LeaseResult, LeaseStore, QueueSettings, ReceiptOutcome } from '../lease-contract.js';
import { migrate } from './schema.js';
import { queueOperations } from './sqlite-queue.js';
import { ConsumerRegistry, streamOperations } from './sqlite-stream.js';
import { leaseOperations, type Touched } from './sqlite-lease.js';
import { Notifier } from './sqlite-events.js';
import type { AuthKeyStore, StoredAuthKey } from '../authkey-contract.js';
import { authKeyOperations } from './sqlite-authkeys.js';
import type { PresqueHolder, PresqueStore } from '../presque-contract.js';
import { sqlitePresque } from './sqlite-presque.js';
import type { MeterStore, QueueMeters } from '../meter-contract.js';
import type { BrowsePage, BrowseStore, MessageState, RegisteredConsumer } from '../browse-contract.js';
import { browseOperations } from './sqlite-browse.js';
import { meterOperations } from './sqlite-meters.js';
import type { SqsStore } from '../sqs-contract.js';
import { sqsOperations } from './sqlite-sqs.js';
import { GroupCommit } from './group-commit.js';


export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a store that lives and dies with the process. */
  path: string;
  /**
   * WAL + NORMAL (default): a commit is written to the WAL before it returns, so a killed
   * broker loses nothing; only an OS crash or power cut may lose the last commits (never
   * corrupting the file). FULL also fsyncs the WAL on every commit: survives power loss,
   * costs an fsync per commit (one per event-loop turn with group commit).
   */
  synchronous?: 'NORMAL' | 'FULL';
  /** Wait for a lock this long before failing (ms). Only matters if the lock is ever lost. */
  busyTimeoutMs?: number;
}

const DIGITS = /^[1-9][0-9]{0,15}$/;

/** The one mapping of SQLite failures to the catalogue; anything else is a bug and stays. */
function storeError(err: unknown, message?: string): unknown {
  if (err instanceof BrokerError) return err;
  if (err instanceof Database.SqliteError || message !== undefined) {
    return new BrokerError('STORE_UNAVAILABLE', message, { cause: err });
  }
  return err;
}


export function openSqliteStore(opts: SqliteStoreOptions): SqliteStore {
  const memory = opts.path === ':memory:';
  let db: Database.Database;
  try {
    // timeout 0: a file held by another broker must fail at once, not after 5 s.
    db = new Database(opts.path, { timeout: 0 });
  } catch (err) {
    throw storeError(err, `cannot open the SQLite file ${opts.path}: ${(err as Error).message}`);
  }
  try {
    if (!memory) takeOwnership(db, opts.path);
    db.pragma(`busy_timeout = ${opts.busyTimeoutMs ?? 5000}`);
    db.pragma(`synchronous = ${opts.synchronous ?? 'NORMAL'}`);
    db.pragma('temp_store = MEMORY');
    migrate(db);
    return new SqliteStore(db, memory ? 'memory' : 'sqlite');
  } catch (err) {
    db.close();
    throw storeError(err, `cannot use the SQLite file ${opts.path}: ${(err as Error).message}`);
  }
}

/**
 * One broker per file. locking_mode=EXCLUSIVE set *before* WAL mode means SQLite keeps the
 * wal-index in heap memory (no -shm file) and, once the first transaction has run, holds the
 * OS lock on the database file until close; the kernel drops it if the process dies, so a
 * crash never leaves a stale lock. A second process fails at its first read with SQLITE_BUSY.
 * (Checked across processes by test/storage/sqlite.test.ts.)
 */
function takeOwnership(db: Database.Database, path: string): void {
  db.pragma('locking_mode = EXCLUSIVE');
  try {
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new BrokerError('STORE_UNAVAILABLE', `the SQLite file ${path} cannot use WAL mode`);
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    const code = err instanceof Database.SqliteError ? err.code : '';
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new BrokerError('STORE_UNAVAILABLE', `the SQLite file ${path} is in use by another broker process`, { cause: err });
    }
    throw err;
  }
}

/** From this many queues, meters() scans the tables once instead of asking per queue: past
 *  a dashboard page (1,000), so that a page never scans every queue's rows. */
export const GROUPED_METERS_FROM = 2000;

export class SqliteStore implements QueueStore, StreamStore, LeaseStore, AuthKeyStore, MeterStore, SqsStore, PresqueHolder, BrowseStore {
  readonly kind: StoreKind;
  /** One broker per file, so a new id per open; nothing outside this process ever sees it. */
  readonly brokerId = randomUUID();
  /** Operations run in call order, in one group commit per turn (group-commit.ts). */
  readonly inOrder = true;
  readonly #db: Database.Database;
  readonly #ops: ReturnType<typeof queueOperations>;
  /** Long polls waiting, as last reported (reportPolls). */
  #polls = new Map<string, number>();
  readonly #browse: ReturnType<typeof browseOperations>;
  readonly #stream: ReturnType<typeof streamOperations>;
  readonly #lease: ReturnType<typeof leaseOperations>;
  readonly #authkeys: ReturnType<typeof authKeyOperations>;
  readonly #meters: ReturnType<typeof meterOperations>;
  readonly #sqs: ReturnType<typeof sqsOperations>;
  readonly #consumers = new ConsumerRegistry();
  /** Round-robin cursor: the consumer that got the queue's last message. */
  readonly #lastConsumer = new Map<string, string>();
  readonly #events = new Notifier();
  readonly #group: GroupCommit;
  /** presque's bookkeeping (sqlite-presque.ts). */
  readonly presque: PresqueStore;
  #closed = false;

  /** Runs the crash recovery: the previous owner's unacked inbox goes back to the queues. */
  constructor(db: Database.Database, kind: StoreKind) {
    this.#db = db;
    this.kind = kind;
    this.#ops = queueOperations(db);
    this.#browse = browseOperations(db);
    this.#stream = streamOperations(db);
    this.#lease = leaseOperations(db);
    this.#authkeys = authKeyOperations(db);
    this.#meters = meterOperations(db);
    this.#sqs = sqsOperations(db, this.#ops.enqueue);
    this.#stream.recover();
    this.#group = new GroupCommit(db, storeError);
    this.presque = sqlitePresque(db, (fn) => this.#run(fn));
  }

  /** Runs one operation in this turn's group commit; settles after the commit. */
  #run<T>(fn: () => T): Promise<T> {
    this.#open();
    return this.#group.run(fn);
  }

  /** For what touches no table (consumer registrations, events): only the closed check. */
  #open(): void {
    if (this.#closed) throw new BrokerError('STORE_UNAVAILABLE', 'the SQLite store is closed');
  }

  /** Delay: visible_at set at insert. Dedup: the `dedup` table, in the same transaction. */
  async enqueue(queue: string, values: readonly string[], options?: EnqueueOptions): Promise<string[]> {
    if (values.length === 0) return [];
    const dedupId = options?.dedupId;
    const now = Date.now();
    const ttl = options?.ttlSeconds;
    const expiresAt = ttl === undefined ? null : now + ttl * 1000;
    const delay = options?.delayMs ?? 0;
    const dedup = dedupId === undefined ? null : { id: dedupId, now, expiresAt: now + DEDUP_SECONDS * 1000 };
    const r = await this.#run(() => this.#ops.enqueue(queue, values, expiresAt, delay > 0 ? now + delay : null, dedup));
    // A delayed message is announced when due, by the broker (core/due-waker.ts).
    if (r.fresh && delay === 0) this.#notifyEnqueued(queue);
    return r.keys;
  }

  // SQS metadata (sqs-contract.ts) -----------------------------------------------------------

  async enqueueWithMeta(queue: string, value: string, meta: string, options?: EnqueueOptions): Promise<string> {
    const now = Date.now();
    const ttl = options?.ttlSeconds;
    const delay = options?.delayMs ?? 0;
    const dedup = options?.dedupId === undefined ? null : { id: options.dedupId, now, expiresAt: now + DEDUP_SECONDS * 1000 };
    const r = await this.#run(() => this.#sqs.enqueueWithMeta(queue, value, meta, ttl === undefined ? null : now + ttl * 1000, delay > 0 ? now + delay : null, dedup));
    if (r.fresh && delay === 0) this.#notifyEnqueued(queue);
    return r.key;
  }

  async messageMeta(queue: string, keys: readonly string[]): Promise<(string | null)[]> {
    return this.#run(() => this.#sqs.messageMeta(queue, keys));
  }

  async updateMessageMeta(queue: string, entries: readonly (readonly [string, string])[]): Promise<void> {
    if (entries.length > 0) await this.#run(() => this.#sqs.updateMeta(queue, entries));
  }

  async getQueueMeta(queue: string): Promise<string | null> {
    return this.#run(() => this.#sqs.getQueueMeta(queue));
  }

  async setQueueMeta(queue: string, meta: string | null): Promise<void> {
    return this.#run(() => this.#sqs.setQueueMeta(queue, meta));
  }

  async registerQueue(queue: string): Promise<void> {
    return this.#run(() => this.#sqs.register(queue));
  }

  async unregisterQueue(queue: string): Promise<void> {
    return this.#run(() => this.#sqs.unregister(queue));
  }

  /** The overview's figures of every queue in one read (meter-contract.ts). */
  async meters(queues: readonly string[]): Promise<QueueMeters[]> {
    const now = Date.now();
    if (queues.length >= GROUPED_METERS_FROM) {
      return this.#run(() => {
        const all = this.#meters.everyQueue(now);
        return queues.map((q) => ({ ...all.get(q), dead: all.get(`${q}.dead`).ready, consumers: this.#consumers.live(q, now).length }));
      });
    }
    return this.#run(() => {
      const info = this.#ops.info([...queues, ...queues.map((q) => `${q}.dead`)], now);
      const inflight = this.#lease.inflight(queues);
      const delayed = this.#ops.delayed(queues, now);
      const dated = this.#meters.meters(queues, now);
      return queues.map((q, i) => ({
        ready: info[i]!.length, status: info[i]!.status, policy: info[i]!.policy, inflight: inflight[i]!, delayed: delayed[i]!,
        dead: info[queues.length + i]!.length, consumers: this.#consumers.live(q, now).length, ...dated[i]!,
      }));
    });
  }

  /** A file has one broker (the exclusive lock): its own counts are every broker's. */
  async reportPolls(waiting: ReadonlyMap<string, number>): Promise<void> {
    this.#open();
    this.#polls = new Map(waiting);
  }

  async pollsWaiting(queues: readonly string[]): Promise<number[]> {
    this.#open();
    return queues.map((q) => this.#polls.get(q) ?? 0);
  }

  /** After the commit, and only for queues somebody streams: the millisecond-delivery path. */
  #notifyEnqueued(queue: string): void {
    if (this.#consumers.any(queue, Date.now())) this.#events.publish({ type: 'enqueued', queue });
  }

  async take(queue: string, count: number): Promise<TakeResult> {
    return this.#run(() => this.#ops.take(queue, count, Date.now()));
  }

  async softGet(queue: string): Promise<SoftGetResult | null> {
    return this.#run(() => this.#ops.softget(queue, Date.now()));
  }

  async browse(queue: string, state: MessageState, offset: number, limit: number): Promise<BrowsePage> {
    return this.#run(() => this.#browse.browse(queue, state, offset, limit, Date.now()));
  }

  async peek(queue: string, count: number): Promise<Message[]> {
    return this.#run(() => this.#ops.peek(queue, Date.now(), count));
  }

  /** Nothing to move: every read sees a row once its visible_at has passed. */
  async promoteDue(queue: string): Promise<number | null> {
    return this.#run(() => {
      const now = Date.now();
      const at = this.#ops.nextVisible(queue, now);
      return at === undefined ? null : at - now;
    });
  }

  /** Only `<queue>:<n>` of this queue; an expired message counts as gone (DEL on Redis says 0). */
  async remove(queue: string, key: string): Promise<boolean> {
    const n = key.startsWith(`${queue}:`) ? key.slice(queue.length + 1) : '';
    if (!DIGITS.test(n)) return false;
    return this.#run(() => {
      const row = this.#ops.deleteOne(queue, Number(n));
      return row !== undefined && (row.expires_at === null || row.expires_at > Date.now());
    });
  }

  async purge(queue: string): Promise<boolean> {
    return this.#run(() => this.#ops.purge(queue));
  }

  /** Rows in every table, and what this process keeps of the queue (registrations, cursor). */
  async deleteQueue(queue: string): Promise<boolean> {
    const known = await this.#run(() => this.#ops.deleteQueue(queue));
    // A queue with consumers registered and nothing stored yet is known too (Redis keeps
    // registrations in a key of the queue).
    const streamed = this.#consumers.any(queue, Date.now());
    this.#consumers.forget(queue);
    this.#lastConsumer.delete(queue);
    return known || streamed;
  }

  async listQueues(): Promise<string[]> {
    return this.#run(() => this.#ops.list());
  }

  async info(queues: readonly string[]): Promise<QueueInfo[]> {
    if (queues.length === 0) return [];
    return this.#run(() => this.#ops.info(queues, Date.now()));
  }

  async getPolicy(queue: string): Promise<Policy | null> {
    return this.#run(() => this.#ops.getPolicy(queue));
  }

  async setPolicy(queue: string, policy: Policy): Promise<void> {
    return this.#run(() => this.#ops.setPolicy(queue, policy));
  }

  async getStatus(queue: string): Promise<QueueStatus | null> {
    return this.#run(() => this.#ops.getStatus(queue));
  }

  async setStatus(queue: string, status: QueueStatus): Promise<void> {
    return this.#run(() => this.#ops.setStatus(queue, status));
  }

  async ping(): Promise<void> {
    return this.#run(() => this.#ops.ping());
  }

  // ---- LeaseStore: each a transaction of sqlite-lease.ts; queues that got messages back are
  // announced after the commit, as an enqueue (their streaming consumers may take them). ----

  async #announcing<T>(fn: (touched: Touched) => T): Promise<T> {
    const touched: Touched = new Set();
    const result = await this.#run(() => fn(touched));
    for (const q of touched) this.#notifyEnqueued(q);
    return result;
  }

  async lease(queue: string, count: number, leaseMs: number): Promise<LeaseResult> {
    return this.#announcing((t) => this.#lease.lease(queue, count, leaseMs, Date.now(), t));
  }

  async ack(queue: string, receipt: string): Promise<ReceiptOutcome> {
    return this.#run(() => this.#lease.ack(queue, receipt, Date.now()));
  }

  async nack(queue: string, receipt: string, delayMs: number): Promise<ReceiptOutcome> {
    return this.#announcing((t) => this.#lease.nack(queue, receipt, delayMs, Date.now(), t));
  }

  async extend(queue: string, receipt: string, leaseMs: number): Promise<ReceiptOutcome> {
    return this.#run(() => this.#lease.extend(queue, receipt, leaseMs, Date.now()));
  }

  async reapLeases(queues?: readonly string[]): Promise<{ returned: number; dead: number }> {
    return this.#announcing((t) => this.#lease.reap(queues, Date.now(), t));
  }

  async getSettings(queue: string): Promise<QueueSettings> {
    return this.#run(() => this.#lease.getSettings(queue));
  }

  async setSettings(queue: string, settings: QueueSettings): Promise<void> {
    return this.#run(() => this.#lease.setSettings(queue, settings));
  }

  async redrive(deadQueue: string, destination?: string): Promise<number> {
    return this.#announcing((t) => this.#lease.redrive(deadQueue, destination, Date.now(), t));
  }

  // ---- AuthKeyStore (sqlite-authkeys.ts) ----

  async putAuthKey(hash: string, record: string): Promise<void> {
    return this.#run(() => this.#authkeys.put(hash, record));
  }

  async getAuthKey(hash: string): Promise<string | null> {
    return this.#run(() => this.#authkeys.get(hash));
  }

  async listAuthKeys(): Promise<StoredAuthKey[]> {
    return this.#run(() => this.#authkeys.list());
  }

  async deleteAuthKey(hash: string): Promise<boolean> {
    return this.#run(() => this.#authkeys.delete(hash));
  }

  // ---- StreamStore ----

  async registerConsumers(queue: string, consumerIds: readonly string[], ttlMs: number): Promise<void> {
    this.#open();
    this.#consumers.register(queue, consumerIds, ttlMs, Date.now());
  }

  /** A file has one broker: the registry is this broker's own. */
  async registeredConsumers(queue: string): Promise<RegisteredConsumer[]> {
    this.#open();
    return this.#consumers.registrations(queue, Date.now()).map(([consumer, expiresAt]) => ({ broker: this.brokerId, consumer, expiresAt }));
  }

  async unregisterConsumers(queue: string, consumerIds: readonly string[]): Promise<void> {
    this.#open();
    this.#consumers.unregister(queue, consumerIds);
  }

  /** The consumers and the round-robin cursor are read when the operation runs, in order with
   *  the other dispatches of its group. */
  async dispatch(queue: string, count: number, read: number): Promise<DispatchResult> {
    return this.#run(() => {
      const now = Date.now();
      const { dispatched, inbox, last } = this.#stream.dispatch(
        queue, count, read, now, this.#consumers.live(queue, now), this.#lastConsumer.get(queue));
      if (last !== undefined) this.#lastConsumer.set(queue, last);
      return { dispatched, inbox };
    });
  }

  async readInbox(read: number): Promise<Delivery[]> {
    return this.#run(() => this.#stream.readInbox(read));
  }

  async ackInbox(n: number): Promise<void> {
    return this.#run(() => this.#stream.ackInbox(n));
  }

  /** Messages that came back are announced like an enqueue: the queue's other consumers get them. */
  async requeue(queue: string, messages: readonly ReturnedMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if ((await this.#run(() => this.#stream.requeue(queue, messages))) > 0) this.#notifyEnqueued(queue);
  }

  async leaseDispatched(queue: string, messages: readonly Message[], leaseMs: number): Promise<LeasedMessage[]> {
    if (messages.length === 0) return [];
    return this.#run(() => this.#stream.leaseDispatched(queue, messages, leaseMs, Date.now()));
  }

  /** A file has one broker: no other broker to tell it is alive, none whose inbox to reap
   *  (the previous owner's inbox was recovered at open). */
  async heartbeat(_ttlMs: number): Promise<void> {
    this.#open();
  }

  async reap(): Promise<number> {
    this.#open();
    return 0;
  }

  async leave(): Promise<void> {
    this.#open();
  }

  async publish(event: StoreEvent): Promise<void> {
    this.#open();
    this.#events.publish(event);
  }

  async subscribe(listener: (event: StoreEvent) => void): Promise<() => Promise<void>> {
    this.#open();
    const off = this.#events.subscribe(listener);
    return async () => off();
  }

  /** Commits what is waiting, then closes: that checkpoints the WAL and releases the file lock
   *  for the next broker. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#group.flush();
    this.#events.clear();
    this.#consumers.clear();
    try {
      this.#db.close();
    } catch (err) {
      throw storeError(err);
    }
  }
}
