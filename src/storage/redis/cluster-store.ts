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
 * The stream side is in cluster-stream.ts, the events in cluster-events.ts, leases in
 * cluster-lease.ts; the methods handed to them as they are in store-parts.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Message, Policy, QueueStatus } from '../../wire.js';
import { BrokerError } from '../../errors.js';
import type { EnqueueOptions, QueueInfo, QueueStore, SoftGetResult, TakeResult } from '../contract.js';
import type { LeasedMessage, LeaseStore, ReceiptOutcome } from '../lease-contract.js';
import type { StreamStore } from '../stream-contract.js';
import type { AuthKeyStore } from '../authkey-contract.js';
import type { MeterStore, QueueMeters, QueueRanking } from '../meter-contract.js';
import { rankByMeters } from '../meter-ranking.js';
import type { BrowsePage, BrowseStore, ConsumerReport, MessageState, RegisteredConsumer } from '../browse-contract.js';
import { publishReports } from './consumer-reports.js';
import { moveLeasedCluster } from './redis-move.js';
import { browseRedis, registeredConsumers, CLUSTER_BROWSE } from './redis-browse.js';
import type { SqsStore } from '../sqs-contract.js';
import type { PresqueHolder, PresqueStore } from '../presque-contract.js';
import { RedisPresque } from './redis-presque.js';
import { DEDUP_SECONDS } from '../contract.js';
import { clusterKeys, clusterPresqueKeys, clusterQueueKeys, defaultDeadLetter, POLICY_CODES, STATUS_CODES } from './keys.js';
import { run } from './redis-errors.js';
import { decodePolicy, decodeStatus, pairs, taken } from './redis-replies.js';
import { StoreParts } from './store-parts.js';
import { ClusterLease } from './cluster-lease.js';
import type { ScriptedCluster } from './cluster-scripts.js';
import { ClusterEvents } from './cluster-events.js';
import { RedisPolls } from './redis-polls.js';
import { ClusterStream } from './cluster-stream.js';
import { ClusterAuthKeys } from './cluster-authkeys.js';
import { waitForReplicas } from './cluster-wait.js';
import { deleteClusterQueue } from './cluster-delete.js';
import type { ReplicaWaitConfig } from '../../config/load.js';

const status = (n: number): QueueStatus | null => (n === 1 ? 'started' : n === 0 ? 'stopped' : null);
const policy = (n: number): Policy | null => (n === 1 ? 'broadcast' : n === 2 ? 'roundrobin' : null);

/** Most names the index cache remembers before it starts again. */
const INDEXED_MAX = 10_000;

export class ClusterStore extends StoreParts implements QueueStore, StreamStore, LeaseStore, AuthKeyStore, MeterStore, SqsStore, PresqueHolder, BrowseStore {
  /** presque's bookkeeping (redis-presque.ts). */
  readonly presque: PresqueStore;
  readonly kind = 'redis' as const;
  readonly brokerId = randomUUID();
  /** Queues this process has put into the index (the SADD is idempotent; this saves repeating it). */
  private readonly indexed = new Set<string>();
  protected readonly events: ClusterEvents;
  protected readonly stream: ClusterStream;
  protected readonly polls: RedisPolls;
  protected readonly authkeys: ClusterAuthKeys;
  protected readonly leases: ClusterLease;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly cluster: ScriptedCluster,
    /** --redis-wait-replicas: an enqueue is answered once this many replicas have it. */
    private readonly wait?: ReplicaWaitConfig,
  ) {
    super();
    this.events = new ClusterEvents(cluster, run);
    this.stream = new ClusterStream(cluster, this.brokerId, this.events, run);
    this.polls = new RedisPolls(cluster, this.brokerId, clusterKeys.polls, run);
    this.authkeys = new ClusterAuthKeys(cluster, run);
    this.presque = new RedisPresque(cluster, clusterPresqueKeys, run);
    this.leases = new ClusterLease(cluster, this.register);
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

  publishConsumerReports(queue: string, reports: readonly ConsumerReport[], ttlMs: number): Promise<void> {
    return run(() => publishReports(this.cluster, clusterKeys.consumerReports(queue, this.brokerId), reports, ttlMs));
  }

  moveLeased(queue: string, receipt: string, target: string): Promise<ReceiptOutcome> {
    return moveLeasedCluster(this.cluster, run, this.register, queue, receipt, target);
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

  leaseDispatched(queue: string, messages: readonly Message[], leaseMs: number): Promise<LeasedMessage[]> {
    return this.stream.leaseDispatched(queue, messages, leaseMs);
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
