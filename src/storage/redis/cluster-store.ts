/**
 * The store on a Redis Cluster (redis-cluster://), in the cluster layout of keys.ts
 * (clusterKeys): every key of a queue shares the slot of `{q}`, every state change of a queue is
 * one script of lua/cluster/ declaring every key it touches, and events go over sharded pub/sub
 * in the queue's slot. What spans queues cannot be one script:
 * - the queue index (restmq:queues) is SADDed by the store before the queue's first write from
 *   this process; listings keep only names whose queue exists, and repairIndex() rebuilds the
 *   index from every primary (`restmq repair-index`);
 * - dead letters and redrive are two-step moves through a per-queue outbox (cluster-moves.ts);
 * - the sets the reapers walk (leased queues, streamed queues) are kept beside the scripts.
 * The stream side is in cluster-stream.ts, the events in cluster-events.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Message, Policy, QueueStatus } from '../../wire.js';
import { BrokerError } from '../../errors.js';
import type { EnqueueOptions, QueueInfo, QueueStore, SoftGetResult, TakeResult } from '../contract.js';
import { FIFO_SCAN, isFifoQueue, type LeasedMessage, type LeaseResult, type LeaseStore, type QueueSettings, type ReceiptOutcome } from '../lease-contract.js';
import type { Delivery, DispatchResult, ReturnedMessage, StoreEvent, StreamStore } from '../stream-contract.js';
import type { AuthKeyStore, StoredAuthKey } from '../authkey-contract.js';
import type { MeterStore, QueueMeters, QueueRanking } from '../meter-contract.js';
import { rankByMeters } from '../meter-ranking.js';
import type { BrowsePage, BrowseStore, MessageState, RegisteredConsumer } from '../browse-contract.js';
import { browseRedis, registeredConsumers, CLUSTER_BROWSE } from './redis-browse.js';
import type { SqsStore } from '../sqs-contract.js';
import type { PresqueHolder, PresqueStore } from '../presque-contract.js';
import { RedisPresque } from './redis-presque.js';
import { DEDUP_SECONDS } from '../contract.js';
import { clusterKeys, clusterPresqueKeys, clusterQueueKeys, defaultDeadLetter, POLICY_CODES, STATUS_CODES } from './keys.js';
import { pairs, storeError, taken } from './redis-store.js';
import { newTokens } from './redis-lease.js';
import type { ScriptedCluster } from './cluster-scripts.js';
import { drainOutbox } from './cluster-moves.js';
import { ClusterEvents } from './cluster-events.js';
import { RedisPolls } from './redis-polls.js';
import { ClusterStream } from './cluster-stream.js';
import { ClusterAuthKeys } from './cluster-authkeys.js';
import { waitForReplicas } from './cluster-wait.js';
import { deleteClusterQueue } from './cluster-delete.js';
import type { ReplicaWaitConfig } from '../../config/load.js';

async function run<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw storeError(err);
  }
}

const POLICY_BY_CODE: Record<string, Policy> = { [POLICY_CODES.broadcast]: 'broadcast', [POLICY_CODES.roundrobin]: 'roundrobin' };
const STATUS_BY_CODE: Record<string, QueueStatus> = { [STATUS_CODES.started]: 'started', [STATUS_CODES.stopped]: 'stopped' };
const decodePolicy = (v: unknown): Policy | null => (typeof v === 'string' ? POLICY_BY_CODE[v] ?? null : null);
const decodeStatus = (v: unknown): QueueStatus | null => (typeof v === 'string' ? STATUS_BY_CODE[v] ?? null : null);
const status = (n: number): QueueStatus | null => (n === 1 ? 'started' : n === 0 ? 'stopped' : null);
const policy = (n: number): Policy | null => (n === 1 ? 'broadcast' : n === 2 ? 'roundrobin' : null);

/** `<n>.<token>`, as redis-lease.ts. */
const RECEIPT = /^([1-9][0-9]{0,15})\.([0-9a-f]{8,32})$/;
/** Most names the index cache remembers before it starts again. */
const INDEXED_MAX = 10_000;
const outcome = (r: number): ReceiptOutcome => (r >= 1 ? 'ok' : 'stale');
/** The origin a dead-letter queue's name implies (`<q>.dead` → `<q>`), or ''. */
const DEAD_SUFFIX = defaultDeadLetter('');
const impliedOrigin = (dq: string) => (dq.length > DEAD_SUFFIX.length && dq.endsWith(DEAD_SUFFIX) ? dq.slice(0, -DEAD_SUFFIX.length) : '');

export class ClusterStore implements QueueStore, StreamStore, LeaseStore, AuthKeyStore, MeterStore, SqsStore, PresqueHolder, BrowseStore {
  /** presque's bookkeeping (redis-presque.ts). */
  readonly presque: PresqueStore;
  readonly kind = 'redis' as const;
  readonly brokerId = randomUUID();
  /** Queues this process has put into the index (the SADD is idempotent; this saves repeating it). */
  private readonly indexed = new Set<string>();
  private readonly events: ClusterEvents;
  private readonly stream: ClusterStream;
  private readonly polls: RedisPolls;
  private readonly authkeys: ClusterAuthKeys;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly cluster: ScriptedCluster,
    /** --redis-wait-replicas: an enqueue is answered once this many replicas have it. */
    private readonly wait?: ReplicaWaitConfig,
  ) {
    this.events = new ClusterEvents(cluster, run);
    this.stream = new ClusterStream(cluster, this.brokerId, this.events, run);
    this.polls = new RedisPolls(cluster, this.brokerId, clusterKeys.polls, run);
    this.authkeys = new ClusterAuthKeys(cluster, run);
    this.presque = new RedisPresque(cluster, clusterPresqueKeys, run);
  }

  /** Puts `queue` into the index, once per process (before its first write from here). */
  private readonly register = async (queue: string): Promise<void> => {
    if (this.indexed.has(queue)) return;
    await this.cluster.sadd(clusterKeys.queueIndex, queue);
    // A cache, not a record: bounded, so posting to ever new names does not grow it for ever.
    if (this.indexed.size >= INDEXED_MAX) this.indexed.clear();
    this.indexed.add(queue);
  };

  async enqueue(queue: string, values: readonly string[], options?: EnqueueOptions): Promise<string[]> {
    if (values.length === 0) return [];
    return this.write(queue, values, options, '');
  }

  /** enqueue-21.lua; `meta` (single values only) is the SQS metadata written with the body, or ''. */
  private async write(queue: string, values: readonly string[], options: EnqueueOptions | undefined, meta: string): Promise<string[]> {
    const dedupId = options?.dedupId;
    const ttl = options?.ttlSeconds === undefined ? '' : String(options.ttlSeconds);
    const delay = options?.delayMs ?? 0;
    return run(async () => {
      await this.register(queue);
      // Delayed messages need the reaper: the queue joins its set before and after the write
      // (after, for a reaper that dropped it in between; see reapLeases).
      if (delay > 0) await this.cluster.sadd(clusterKeys.leasedQueues, queue);
      const out = await this.cluster.enqueue(...clusterQueueKeys(queue), clusterKeys.dedup(queue, dedupId ?? ''),
        queue, clusterKeys.events(queue), ttl, String(delay), dedupId === undefined ? '' : '1', String(DEDUP_SECONDS), meta, ...values);
      if (delay > 0) await this.cluster.sadd(clusterKeys.leasedQueues, queue);
      // Message 1: the queue is new, or new again after a deleteQueue on any broker, which this
      // process's cache cannot know of: index it again (idempotent).
      if (out.length > 0 && out[0] === `${queue}:1`) await this.cluster.sadd(clusterKeys.queueIndex, queue);
      if (this.wait) await waitForReplicas(this.cluster, queue, this.wait);
      return out;
    });
  }

  /** Every queue's keys are read anyway: ranked from meters (meter-ranking.ts). */
  rankQueues(limit: number): Promise<QueueRanking> {
    return rankByMeters(this, limit);
  }

  reportPolls(waiting: ReadonlyMap<string, number>, ttlMs: number): Promise<void> {
    return this.polls.report(waiting, ttlMs);
  }

  pollsWaiting(queues: readonly string[]): Promise<number[]> {
    return this.polls.waiting(queues);
  }

  async take(queue: string, count: number): Promise<TakeResult> {
    const r = await run(() => this.cluster.take(...clusterQueueKeys(queue), queue, String(count)));
    return { stopped: Number(r[0]) === 1, expired: Number(r[1]), messages: taken(r, 2) };
  }

  async softGet(queue: string): Promise<SoftGetResult | null> {
    const r = await run(() => this.cluster.softget(...clusterQueueKeys(queue), queue));
    return r ? { key: String(r[0]), value: String(r[1]), count: Number(r[2]) } : null;
  }

  async registeredConsumers(queue: string): Promise<RegisteredConsumer[]> {
    return run(() => registeredConsumers(this.cluster, CLUSTER_BROWSE, queue));
  }

  async browse(queue: string, state: MessageState, offset: number, limit: number): Promise<BrowsePage> {
    return run(() => browseRedis(this.cluster, CLUSTER_BROWSE, queue, state, offset, limit));
  }

  async peek(queue: string, count: number): Promise<Message[]> {
    return pairs(await run(() => this.cluster.peek(...clusterQueueKeys(queue), queue, String(count))));
  }

  /** Asked when this broker starts waiting on the queue (core/due-waker.ts): from then on it
   *  also hears the queue's events (sharded pub/sub is per queue), a long poll's too. */
  async promoteDue(queue: string): Promise<number | null> {
    await this.events.watch(queue).catch(() => undefined);
    const [, next] = await run(() => this.cluster.due(...clusterQueueKeys(queue), queue));
    return Number(next) < 0 ? null : Number(next);
  }

  async remove(queue: string, key: string): Promise<boolean> {
    const n = key.slice(queue.length + 1);
    return (await run(() => this.cluster.remove(...clusterQueueKeys(queue), queue, n))) === 1;
  }

  async purge(queue: string): Promise<boolean> {
    return (await run(() => this.cluster.purge(...clusterQueueKeys(queue), queue))) === 1;
  }

  /** cluster-delete.ts; this process's index cache forgets the queue too. */
  async deleteQueue(queue: string): Promise<boolean> {
    this.indexed.delete(queue);
    const known = await run(() => deleteClusterQueue(this.cluster, queue));
    this.stream.forget(queue);
    return known;
  }

  /** The index, without names whose queue no longer (or never) exists: an index entry is
   *  written before the queue's first script, which may have failed. */
  async listQueues(): Promise<string[]> {
    return run(async () => {
      const names = await this.cluster.smembers(clusterKeys.queueIndex);
      const exists = await Promise.all(names.map((q) => this.cluster.exists(clusterKeys.counter(q), clusterKeys.status(q))));
      return names.filter((_, i) => exists[i]! > 0).sort();
    });
  }

  /**
   * Rebuilds the queue index from every primary (SCAN for counters, `{q}:uuid`): a queue whose
   * index entry was lost (a failover of the index's slot, a crash between the SADD and the
   * write) is listed again, and entries of queues that no longer exist are dropped; the stream
   * reaper's set is rebuilt too (ClusterStream.relist). Resolves to the number of queues indexed.
   */
  async repairIndex(): Promise<number> {
    return run(async () => {
      const found = new Set<string>();
      const pattern = clusterKeys.counter('*');
      for (const node of this.cluster.nodes('master')) {
        let cursor = '0';
        do {
          const [next, batch] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
          cursor = next;
          for (const key of batch) {
            const m = /^\{([^{}]+)\}:uuid$/.exec(key);
            if (m) found.add(m[1]!);
          }
        } while (cursor !== '0');
      }
      const listed = await this.cluster.smembers(clusterKeys.queueIndex);
      const stale = (await this.listQueues().then((live) => listed.filter((q) => !live.includes(q) && !found.has(q))));
      if (found.size > 0) await this.cluster.sadd(clusterKeys.queueIndex, ...found);
      if (stale.length > 0) await this.cluster.srem(clusterKeys.queueIndex, ...stale);
      await this.stream.relist();
      return found.size;
    });
  }

  async info(queues: readonly string[]): Promise<QueueInfo[]> {
    return run(() => Promise.all(queues.map(async (name) => {
      const [length, st, po] = await Promise.all([this.cluster.llen(clusterKeys.pending(name)),
        this.cluster.get(clusterKeys.status(name)), this.cluster.get(clusterKeys.policy(name))]);
      return { name, length, status: decodeStatus(st), policy: decodePolicy(po) };
    })));
  }

  async getPolicy(queue: string): Promise<Policy | null> {
    return decodePolicy(await run(() => this.cluster.get(clusterKeys.policy(queue))));
  }

  async setPolicy(queue: string, p: Policy): Promise<void> {
    await run(() => this.cluster.set(clusterKeys.policy(queue), POLICY_CODES[p]));
  }

  async getStatus(queue: string): Promise<QueueStatus | null> {
    return decodeStatus(await run(() => this.cluster.get(clusterKeys.status(queue))));
  }

  async setStatus(queue: string, s: QueueStatus): Promise<void> {
    await run(() => this.cluster.set(clusterKeys.status(queue), STATUS_CODES[s]));
  }

  async ping(): Promise<void> {
    // Any live node answers PING; CLUSTER INFO also says whether every slot is served (it is
    // not while a failed primary waits for its replica's promotion).
    const info = String(await run(() => this.cluster.cluster('INFO')));
    if (!/^cluster_state:ok\r?$/m.test(info)) throw new BrokerError('STORE_UNAVAILABLE');
  }

  /** One script per queue (a script cannot read other slots), plus the length of `<q>.dead`. */
  async meters(queues: readonly string[]): Promise<QueueMeters[]> {
    return run(() => Promise.all(queues.map(async (q) => {
      const [r, dead] = await Promise.all([this.cluster.meters(...clusterQueueKeys(q), q),
        this.cluster.llen(clusterKeys.pending(defaultDeadLetter(q)))]);
      const age = Number(r[6]);
      return {
        ready: Number(r[0]), status: status(Number(r[1])), policy: policy(Number(r[2])), inflight: Number(r[3]),
        delayed: Number(r[4]), dead, consumers: Number(r[5]), oldestAgeMs: age < 0 ? null : age, deadLettered: Number(r[7]),
      };
    })));
  }

  // LeaseStore (lease-contract.ts).
  async lease(queue: string, count: number, leaseMs: number): Promise<LeaseResult> {
    const n = Math.max(0, Math.floor(count));
    const tokens = newTokens(n);
    const head = [...clusterQueueKeys(queue), queue, clusterKeys.events(queue), defaultDeadLetter(queue), String(n), String(Math.max(1, Math.ceil(leaseMs)))];
    const r = await run(() => isFifoQueue(queue)
      ? this.cluster.leasefifo(...head, String(FIFO_SCAN), ...tokens)
      : this.cluster.lease(...head, ...tokens));
    const messages: LeasedMessage[] = [];
    for (let i = 3; i + 3 < r.length; i += 4) {
      const key = String(r[i]);
      messages.push({ key, value: String(r[i + 1]), receipt: `${key.slice(queue.length + 1)}.${String(r[i + 2])}`, attempts: Number(r[i + 3]) });
    }
    if (messages.length > 0) await run(() => this.cluster.sadd(clusterKeys.leasedQueues, queue));
    if (Number(r[2]) > 0) await this.reapQueue(queue);
    return { stopped: Number(r[0]) === 1, expired: Number(r[1]), messages };
  }

  async ack(queue: string, receipt: string): Promise<ReceiptOutcome> {
    const p = RECEIPT.exec(receipt);
    if (!p) return 'stale';
    return outcome(await run(() => this.cluster.ack(...clusterQueueKeys(queue), queue, p[1]!, p[2]!)));
  }

  async nack(queue: string, receipt: string, delayMs: number): Promise<ReceiptOutcome> {
    const p = RECEIPT.exec(receipt);
    if (!p) return 'stale';
    const delay = String(Math.max(0, Math.ceil(delayMs)));
    const r = await run(() => this.cluster.nack(...clusterQueueKeys(queue), queue, clusterKeys.events(queue), defaultDeadLetter(queue),
      p[1]!, p[2]!, delay));
    if (r === 2) await this.reapQueue(queue);
    return outcome(r);
  }

  async extend(queue: string, receipt: string, leaseMs: number): Promise<ReceiptOutcome> {
    const p = RECEIPT.exec(receipt);
    if (!p) return 'stale';
    return outcome(await run(() => this.cluster.extend(...clusterQueueKeys(queue), p[1]!, p[2]!, String(Math.max(1, Math.ceil(leaseMs))))));
  }

  /**
   * Reaps each queue (all in the leased-queues set when none are named), finishing the moves
   * its outbox holds. A queue found idle leaves the set; since another broker may lease on it
   * meanwhile (and add it after its script), it is checked again after the SREM and put back
   * when it is busy: a writer always adds after its write, so one of the two sees the other.
   */
  async reapLeases(queues?: readonly string[]): Promise<{ returned: number; dead: number }> {
    const all = queues === undefined;
    const list = queues ?? (await run(() => this.cluster.smembers(clusterKeys.leasedQueues)));
    let returned = 0;
    let dead = 0;
    for (const q of list) {
      const r = await this.reapQueue(q);
      returned += r.returned;
      dead += r.dead;
      if (all && r.idle) {
        await run(async () => {
          await this.cluster.srem(clusterKeys.leasedQueues, q);
          const busy = await this.cluster.exists(clusterKeys.leased(q), clusterKeys.delayed(q), clusterKeys.outbox(q));
          if (busy > 0) await this.cluster.sadd(clusterKeys.leasedQueues, q);
        });
      }
    }
    return { returned, dead };
  }

  /** reapleases-20.lua on one queue, then steps 1 and 2 of every move in its outbox. */
  private async reapQueue(queue: string): Promise<{ returned: number; dead: number; idle: boolean }> {
    const r = await run(() => this.cluster.reapleases(...clusterQueueKeys(queue), queue, clusterKeys.events(queue), defaultDeadLetter(queue)));
    const moved = await run(() => drainOutbox(this.cluster, queue, r.slice(3), this.register));
    return { returned: Number(r[0]), dead: Number(r[1]), idle: Number(r[2]) === 1 && moved === 0 };
  }

  async getSettings(queue: string): Promise<QueueSettings> {
    const h = await run(() => this.cluster.hgetall(clusterKeys.settings(queue)));
    const s: QueueSettings = {};
    if (h.lease !== undefined) s.leaseSeconds = Number(h.lease);
    if (h.max_attempts !== undefined) s.maxAttempts = Number(h.max_attempts);
    if (h.dead_letter !== undefined) s.deadLetter = h.dead_letter;
    return s;
  }

  async setSettings(queue: string, settings: QueueSettings): Promise<void> {
    const text = (v: number | string | undefined) => (v === undefined ? '' : String(v));
    await run(() => this.cluster.settings(...clusterQueueKeys(queue), text(settings.leaseSeconds), text(settings.maxAttempts),
      text(settings.deadLetter)));
  }

  /** Step 0 into the dead queue's outbox, then steps 1 and 2 (cluster-moves.ts). The dead queue
   *  joins the reaper's set first, so a crash midway is finished by the next reaper. */
  async redrive(deadQueue: string, destination?: string): Promise<number> {
    return run(async () => {
      await this.cluster.sadd(clusterKeys.leasedQueues, deadQueue);
      const r = await this.cluster.redrive(...clusterQueueKeys(deadQueue), deadQueue, impliedOrigin(deadQueue), destination ?? '');
      await drainOutbox(this.cluster, deadQueue, r.slice(1), this.register);
      return Number(r[0]);
    });
  }

  // StreamStore (stream-contract.ts), in cluster-stream.ts and cluster-events.ts.
  registerConsumers(queue: string, consumerIds: readonly string[], ttlMs: number): Promise<void> {
    return this.stream.registerConsumers(queue, consumerIds, ttlMs);
  }

  unregisterConsumers(queue: string, consumerIds: readonly string[]): Promise<void> {
    return this.stream.unregisterConsumers(queue, consumerIds);
  }

  dispatch(queue: string, count: number, read: number): Promise<DispatchResult> {
    return this.stream.dispatch(queue, count, read);
  }

  readInbox(read: number): Promise<Delivery[]> {
    return this.stream.readInbox(read);
  }

  ackInbox(n: number): Promise<void> {
    return this.stream.ackInbox(n);
  }

  requeue(queue: string, messages: readonly ReturnedMessage[]): Promise<void> {
    return this.stream.requeue(queue, messages);
  }

  leaseDispatched(queue: string, messages: readonly Message[], leaseMs: number): Promise<LeasedMessage[]> {
    return this.stream.leaseDispatched(queue, messages, leaseMs);
  }

  heartbeat(ttlMs: number): Promise<void> {
    return this.stream.heartbeat(ttlMs);
  }

  reap(): Promise<number> {
    return this.stream.reap();
  }

  leave(): Promise<void> {
    return this.stream.leave();
  }

  publish(event: StoreEvent): Promise<void> {
    return this.events.publish(event);
  }

  subscribe(listener: (event: StoreEvent) => void): Promise<() => Promise<void>> {
    return this.events.subscribe(listener);
  }

  // AuthKeyStore (authkey-contract.ts).
  putAuthKey(hash: string, record: string): Promise<void> {
    return this.authkeys.put(hash, record);
  }

  getAuthKey(hash: string): Promise<string | null> {
    return this.authkeys.get(hash);
  }

  listAuthKeys(): Promise<StoredAuthKey[]> {
    return this.authkeys.list();
  }

  deleteAuthKey(hash: string): Promise<boolean> {
    return this.authkeys.delete(hash);
  }

  close(): Promise<void> {
    this.closing ??= this.events.close().then(() =>
      this.cluster.quit().then(
        () => undefined,
        () => this.cluster.disconnect(),
      ),
    );
    return this.closing;
  }

  // SQS records (sqs-contract.ts). Message metadata is a field of {q}:sqsmeta per message
  // number, which the scripts write, delete and move with the body.
  async enqueueWithMeta(queue: string, value: string, meta: string, options?: EnqueueOptions): Promise<string> {
    const [key] = await this.write(queue, [value], options, meta);
    return key!;
  }

  async messageMeta(queue: string, messageKeys: readonly string[]): Promise<(string | null)[]> {
    if (messageKeys.length === 0) return [];
    // A key of another queue (or no message key at all) asks for field '0', which no message has.
    const numbers = messageKeys.map((k) => (k.startsWith(queue + ':') ? k.slice(queue.length + 1) : '0'));
    return run(() => this.cluster.hmget(clusterKeys.sqsMeta(queue), ...numbers));
  }

  async updateMessageMeta(queue: string, entries: readonly (readonly [string, string])[]): Promise<void> {
    const own = entries.filter(([k]) => k.startsWith(queue + ':'));
    if (own.length > 0) await run(() => this.cluster.setmeta(clusterKeys.sqsMeta(queue), ...own.flatMap(([k, m]) => [k.slice(queue.length + 1), m])));
  }

  async getQueueMeta(queue: string): Promise<string | null> {
    return run(() => this.cluster.get(clusterKeys.sqsQueue(queue)));
  }

  async setQueueMeta(queue: string, meta: string | null): Promise<void> {
    if (meta === null) await run(() => this.cluster.del(clusterKeys.sqsQueue(queue)));
    else await run(() => this.cluster.set(clusterKeys.sqsQueue(queue), meta));
  }

  async registerQueue(queue: string): Promise<void> {
    await run(async () => {
      await this.cluster.sadd(clusterKeys.queueIndex, queue);
      await this.cluster.set(clusterKeys.status(queue), STATUS_CODES.started, 'NX');
    });
  }

  async unregisterQueue(queue: string): Promise<void> {
    await run(() => this.cluster.srem(clusterKeys.queueIndex, queue));
  }
}
