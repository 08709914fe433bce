/**
 * The embedded QueueStore and StreamStore: one SQLite file (or `:memory:`) owned by one broker
 * process. better-sqlite3 is synchronous: each operation is one synchronous function (a
 * savepoint, or a single statement), named after its Redis script (enqueue, take, softget...),
 * and the operations of one event-loop turn commit together (group-commit.ts); every method
 * settles after that commit. Nothing else can interleave inside an operation: that is this
 * backend's atomicity. The stream side is in sqlite-stream.ts (its StreamStore methods in
 * sqlite-stream-store.ts, which this class extends), leases (reliable delivery) in
 * sqlite-lease.ts, the event notifier in sqlite-events.ts; opening the file in sqlite-file.ts.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { BrokerError } from '../../errors.js';
import type { Message, Policy, QueueStatus } from '../../wire.js';
import {
  DEDUP_SECONDS, type EnqueueOptions, type QueueInfo, type QueueStore, type SoftGetResult, type StoreKind, type TakeResult,
} from '../contract.js';
import type { StreamStore } from '../stream-contract.js';
import type { LeaseResult, LeaseStore, QueueSettings, ReceiptOutcome } from '../lease-contract.js';
import { migrate } from './schema.js';
import { queueOperations } from './sqlite-queue.js';
import { ConsumerRegistry, streamOperations } from './sqlite-stream.js';
import { leaseOperations, type Touched } from './sqlite-lease.js';
import { Notifier } from './sqlite-events.js';
import type { AuthKeyStore, StoredAuthKey } from '../authkey-contract.js';
import { authKeyOperations } from './sqlite-authkeys.js';
import type { PresqueHolder, PresqueStore } from '../presque-contract.js';
import { sqlitePresque } from './sqlite-presque.js';
import type { MeterStore, QueueMeters, QueueRanking } from '../meter-contract.js';
import { rankingOperations } from './sqlite-ranking.js';
import type { BrowsePage, BrowseStore, MessageState } from '../browse-contract.js';
import { moveOperation } from './sqlite-move.js';
import { browseOperations } from './sqlite-browse.js';
import { meterOperations, nameRange, RANGE_METERS_FROM } from './sqlite-meters.js';
import type { SqsStore } from '../sqs-contract.js';
import { sqsOperations } from './sqlite-sqs.js';
import { GroupCommit } from './group-commit.js';
import { storeError, takeOwnership } from './sqlite-file.js';
import { SqliteStreamStore, type StreamState } from './sqlite-stream-store.js';


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

/** From this many queues, meters() scans the tables once instead of asking per queue: past
 *  a dashboard page (1,000), so that a page never scans every queue's rows. */
export const GROUPED_METERS_FROM = 2000;

export class SqliteStore extends SqliteStreamStore implements QueueStore, StreamStore, LeaseStore, AuthKeyStore, MeterStore, SqsStore, PresqueHolder, BrowseStore {
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
  readonly #lease: ReturnType<typeof leaseOperations>;
  readonly #move: ReturnType<typeof moveOperation>;
  readonly #authkeys: ReturnType<typeof authKeyOperations>;
  readonly #meters: ReturnType<typeof meterOperations>;
  readonly #ranking: ReturnType<typeof rankingOperations>;
  readonly #sqs: ReturnType<typeof sqsOperations>;
  /** Shared with the stream side (sqlite-stream-store.ts). */
  readonly #consumers: ConsumerRegistry;
  /** Round-robin cursor: the consumer that got the queue's last message. */
  readonly #lastConsumer: Map<string, string>;
  readonly #events: Notifier;
  readonly #group: GroupCommit;
  /** presque's bookkeeping (sqlite-presque.ts). */
  readonly presque: PresqueStore;
  #closed = false;

  /** Runs the crash recovery: the previous owner's unacked inbox goes back to the queues. */
  constructor(db: Database.Database, kind: StoreKind) {
    const state: StreamState = { stream: streamOperations(db), consumers: new ConsumerRegistry(), lastConsumer: new Map(), events: new Notifier() };
    super(state, { run: (fn) => this.#run(fn), open: () => this.#open(), notifyEnqueued: (queue) => this.#notifyEnqueued(queue) });
    this.#consumers = state.consumers;
    this.#lastConsumer = state.lastConsumer;
    this.#events = state.events;
    this.#db = db;
    this.kind = kind;
    this.#ops = queueOperations(db);
    this.#browse = browseOperations(db);
    this.#lease = leaseOperations(db);
    this.#move = moveOperation(db);
    this.#authkeys = authKeyOperations(db);
    this.#meters = meterOperations(db);
    this.#ranking = rankingOperations(db);
    this.#sqs = sqsOperations(db, this.#ops.enqueue);
    state.stream.recover();
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
    const range = queues.length >= RANGE_METERS_FROM ? nameRange(queues) : undefined;
    if (queues.length >= GROUPED_METERS_FROM || range) {
      return this.#run(() => {
        const all = this.#meters.everyQueue(now, range);
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

  /** One statement (sqlite-ranking.ts); registrations and polls are this process's. */
  async rankQueues(limit: number): Promise<QueueRanking> {
    const now = Date.now();
    const polls = this.#polls;
    return this.#run(() => this.#ranking(limit, now, { each: (fn) => this.#consumers.each(now, fn) }, { each: (fn) => polls.forEach((n, q) => fn(q, n)) }));
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

  async moveLeased(queue: string, receipt: string, target: string): Promise<ReceiptOutcome> {
    return this.#announcing((t) => this.#move(queue, receipt, target, Date.now(), t));
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
