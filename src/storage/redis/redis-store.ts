/**
 * QueueStore and StreamStore on Redis, in the original RestMQ key layout (keys.ts), so an old
 * broker sharing the Redis keeps working. Every state change is one Lua script (lua/,
 * scripts.ts); policy and status writes are single SET commands, atomic on their own. The
 * stream side lives in redis-stream.ts (inboxes, registrations, reaper) and redis-events.ts
 * (pub/sub), leases in redis-lease.ts; this class delegates to them (store-parts.ts). Failures
 * map to BrokerError in redis-errors.ts, replies to queue types in redis-replies.ts.
 */
import { randomUUID } from 'node:crypto';
import type { RedisStoreConfig } from '../../config/load.js';
import type { Message, Policy, QueueStatus } from '../../wire.js';
import { DEDUP_SECONDS, type EnqueueOptions, type QueueInfo, type QueueStore, type SoftGetResult, type TakeResult } from '../contract.js';
import type { LeasedMessage, LeaseStore, ReceiptOutcome } from '../lease-contract.js';
import type { StreamStore, ReturnedMessage } from '../stream-contract.js';
import { keys, POLICY_CODES, presqueKeys, STATUS_CODES } from './keys.js';
import { RedisEvents } from './redis-events.js';
import { RedisLease } from './redis-lease.js';
import { RedisAuthKeys } from './redis-authkeys.js';
import type { AuthKeyStore } from '../authkey-contract.js';
import { RedisPolls } from './redis-polls.js';
import { RedisStream } from './redis-stream.js';
import { registerScripts, type ScriptedRedis, type StoreCommands } from './scripts.js';
import type { MeterStore, QueueMeters, QueueRanking } from '../meter-contract.js';
import { rankByMeters } from '../meter-ranking.js';
import type { BrowsePage, BrowseStore, ConsumerReport, MessageState, RegisteredConsumer } from '../browse-contract.js';
import { publishReports } from './consumer-reports.js';
import { moveLeasedPlain } from './redis-move.js';
import { browseRedis, registeredConsumers, LEGACY_BROWSE } from './redis-browse.js';
import type { SqsStore } from '../sqs-contract.js';
import type { PresqueHolder, PresqueStore } from '../presque-contract.js';
import { RedisPresque } from './redis-presque.js';
import { readMeters } from './redis-meters.js';
import { coalesceWrites } from './write-coalescing.js';
import { RegisteredQueues } from './registered.js';
import { closeRedis, connectRedis, createRedisClient } from './connection.js';
import { openReplicaWait, type ReplicaWait } from './replica-wait.js';
import { run, storeError } from './redis-errors.js';
import { decodePolicy, decodeStatus, pairs, taken } from './redis-replies.js';
import { StoreParts } from './store-parts.js';

/** A single server, without `kind` (what tests pass). */
export type RedisStoreOptions = Omit<Extract<RedisStoreConfig, { kind: 'redis' }>, 'kind'>;

/** No delay, dedup or TTL: what enqueuelean-6.lua can do. */
const isPlain = (o: EnqueueOptions | undefined): boolean =>
  o === undefined || (o.dedupId === undefined && o.ttlSeconds === undefined && !o.delayMs);

export class RedisStore extends StoreParts implements QueueStore, StreamStore, LeaseStore, AuthKeyStore, MeterStore, SqsStore, PresqueHolder, BrowseStore {
  /** presque's bookkeeping (redis-presque.ts). */
  readonly presque: PresqueStore;
  readonly kind = 'redis' as const;
  /** Random per store: a new broker, with an empty inbox, every time one is opened. */
  readonly brokerId = randomUUID();
  /** One connection, commands in call order; not with WAIT, which sends enqueues elsewhere. */
  get inOrder(): boolean {
    return this.replicaWait === undefined;
  }
  /** ack-8.lua publishes the settlement itself when the queue is streamed. */
  readonly ackAnnounces = true;
  private readonly channel: string;
  protected readonly stream: RedisStream;
  protected readonly polls: RedisPolls;
  protected readonly events: RedisEvents;
  protected readonly leases: RedisLease;
  protected readonly authkeys: RedisAuthKeys;
  private closing: Promise<void> | undefined;
  private readonly run = run;
  /** false: every enqueue takes enqueue-9.lua, and leases decode the whole layout (the A/B of
   *  bench/redis-lean.ts). */
  get lean(): boolean {
    return this.leases.lean;
  }

  set lean(on: boolean) {
    this.leases.lean = on;
  }

  /** @param replicaWait with --redis-wait-replicas: where enqueues go, each confirmed by WAIT. */
  constructor(
    private readonly redis: ScriptedRedis,
    private readonly replicaWait?: ReplicaWait,
  ) {
    super();
    this.channel = keys.events(redis.options.db ?? 0);
    this.stream = new RedisStream(redis, this.brokerId, this.channel, run);
    this.polls = new RedisPolls(redis, this.brokerId, keys.polls, run);
    this.events = new RedisEvents(redis, this.channel, run);
    this.leases = new RedisLease(redis, this.channel, run);
    this.authkeys = new RedisAuthKeys(redis, run);
    this.presque = new RedisPresque(redis, presqueKeys, run);
  }

  /** Delay and dedup (SPEC 6) happen in the same script: see enqueue-9.lua. One plain value
   *  (the common POST) takes enqueuelean-6.lua, the same writes with less to do. */
  enqueue(queue: string, values: readonly string[], options?: EnqueueOptions): Promise<string[]> {
    if (values.length === 0) return Promise.resolve([]);
    if (values.length === 1 && this.leases.lean && isPlain(options)) return this.#enqueueLean(queue, values[0]!);
    return this.#enqueue(queue, values, options, '');
  }

  /** The queues this store registered itself (so enqueuelean-6.lua may skip it); see registered.ts. */
  readonly #registered = new RegisteredQueues();

  /** The hot path: one promise of ioredis's, one `then` (no async wrapper). */
  #enqueueLean(queue: string, value: string): Promise<string[]> {
    const mark = this.#registered.mark(queue);
    const args = [keys.counter(queue), keys.pending(queue), keys.queueset, keys.status(queue), keys.consumers(queue),
      keys.clock(queue), queue, keys.messagePrefix(queue), this.channel, mark.known ? '' : '1', value] as const;
    const wait = this.replicaWait;
    let sent: Promise<string>;
    try {
      sent = wait
        ? wait.write<string>(queue, (p) => (p as unknown as StoreCommands).enqueuelean(...args))
        : this.redis.enqueuelean(...args);
    } catch (err) {
      return Promise.reject(storeError(err));
    }
    return sent.then(
      (key) => {
        mark.done();
        return [key];
      },
      (err: unknown) => {
        throw storeError(err);
      },
    );
  }

  /** One value and its SQS metadata, in the same enqueue-9.lua step (sqs-contract.ts). */
  async enqueueWithMeta(queue: string, value: string, meta: string, options?: EnqueueOptions): Promise<string> {
    const [key] = await this.#enqueue(queue, [value], options, meta);
    return key!;
  }

  #enqueue(queue: string, values: readonly string[], options: EnqueueOptions | undefined, meta: string): Promise<string[]> {
    const dedupId = options?.dedupId;
    const ttl = options?.ttlSeconds === undefined ? '' : String(options.ttlSeconds);
    const delay = String(options?.delayMs ?? 0);
    const args = [keys.counter(queue), keys.pending(queue), keys.queueset, keys.status(queue), keys.consumers(queue),
      keys.delayed(queue), keys.leasedQueues, keys.dedup(queue, dedupId ?? ''), keys.clock(queue),
      queue, keys.messagePrefix(queue), ttl, this.channel, delay, dedupId === undefined ? '' : '1', String(DEDUP_SECONDS),
      keys.metaSuffix, meta, ...values] as const;
    const wait = this.replicaWait;
    const mark = this.#registered.mark(queue);
    const call = wait
      ? () => wait.write<string[]>(queue, (p) => (p as unknown as StoreCommands).enqueue(...args))
      : () => this.redis.enqueue(...args);
    return this.run(call).then((out) => {
      if (dedupId === undefined) mark.done();
      return out;
    });
  }

  async messageMeta(queue: string, messageKeys: readonly string[]): Promise<(string | null)[]> {
    if (messageKeys.length === 0) return [];
    const own = messageKeys.map((k) => (k.startsWith(queue + ':') ? keys.meta(k) : keys.meta(`${queue}:0`)));
    return this.run(() => this.redis.mget(...own));
  }

  async updateMessageMeta(queue: string, entries: readonly (readonly [string, string])[]): Promise<void> {
    const own = entries.filter(([k]) => k.startsWith(queue + ':'));
    if (own.length > 0) await this.run(() => this.redis.setmeta(...own.flatMap(([k, m]) => [keys.meta(k), m])));
  }

  async getQueueMeta(queue: string): Promise<string | null> {
    return this.run(() => this.redis.get(keys.sqsQueue(queue)));
  }

  async setQueueMeta(queue: string, meta: string | null): Promise<void> {
    if (meta === null) await this.run(() => this.redis.del(keys.sqsQueue(queue)));
    else await this.run(() => this.redis.set(keys.sqsQueue(queue), meta));
  }

  /** As enqueue-9.lua registers a queue: SADD, and status started unless one is stored. */
  async registerQueue(queue: string): Promise<void> {
    await this.run(() => this.redis.multi().sadd(keys.queueset, queue).set(keys.status(queue), STATUS_CODES.started, 'NX').exec());
  }

  async unregisterQueue(queue: string): Promise<void> {
    this.#registered.forget(queue);
    await this.run(() => this.redis.srem(keys.queueset, queue));
  }

  /** The overview's figures of every queue, a script call per 250 queues (redis-meters.ts). */
  meters(queues: readonly string[]): Promise<QueueMeters[]> {
    return readMeters(this.redis, this.run, queues);
  }

  /** Every queue's keys are read anyway: ranked from meters (meter-ranking.ts). */
  rankQueues(limit: number): Promise<QueueRanking> {
    return rankByMeters(this, limit);
  }


  async take(queue: string, count: number): Promise<TakeResult> {
    const r = await this.run(() => this.redis.take(keys.pending(queue), keys.status(queue), keys.attempts(queue), keys.origin(queue), keys.delayed(queue),
      String(count), keys.refcountSuffix, keys.metaSuffix));
    return { stopped: Number(r[0]) === 1, expired: Number(r[1]), messages: taken(r, 2) };
  }

  async softGet(queue: string): Promise<SoftGetResult | null> {
    const r = await this.run(() => this.redis.softget(keys.pending(queue), keys.delayed(queue), keys.refcountSuffix, keys.metaSuffix));
    if (!r) return null;
    return { key: String(r[0]), value: String(r[1]), count: Number(r[2]) };
  }

  async registeredConsumers(queue: string): Promise<RegisteredConsumer[]> {
    return this.run(() => registeredConsumers(this.redis, LEGACY_BROWSE, queue));
  }

  publishConsumerReports(queue: string, reports: readonly ConsumerReport[], ttlMs: number): Promise<void> {
    return this.run(() => publishReports(this.redis, keys.consumerReports(queue, this.brokerId), reports, ttlMs));
  }

  moveLeased(queue: string, receipt: string, target: string): Promise<ReceiptOutcome> {
    return moveLeasedPlain(this.redis, this.channel, this.run, queue, receipt, target);
  }

  async browse(queue: string, state: MessageState, offset: number, limit: number): Promise<BrowsePage> {
    return this.run(() => browseRedis(this.redis, LEGACY_BROWSE, queue, state, offset, limit));
  }

  async peek(queue: string, count: number): Promise<Message[]> {
    return pairs(await this.run(() => this.redis.peek(keys.pending(queue), keys.delayed(queue), String(count), keys.refcountSuffix, keys.metaSuffix)));
  }

  async promoteDue(queue: string): Promise<number | null> {
    const [, next] = await this.run(() => this.redis.due(keys.delayed(queue), keys.pending(queue), keys.refcountSuffix, keys.metaSuffix));
    return Number(next) < 0 ? null : Number(next);
  }

  async remove(queue: string, key: string): Promise<boolean> {
    return (await this.run(() => this.redis.remove(keys.pending(queue), keys.delayed(queue), key, keys.refcountSuffix, keys.metaSuffix))) === 1;
  }

  /** Leased and delayed messages go too (bodies and lease records); the settings stay. */
  async purge(queue: string): Promise<boolean> {
    const r = await this.run(() => this.redis.purge(keys.pending(queue), keys.leased(queue), keys.leaseTokens(queue),
      keys.attempts(queue), keys.origin(queue), keys.leasedQueues, keys.delayed(queue), keys.refcountSuffix, queue, keys.metaSuffix));
    return r === 1;
  }

  /** deletequeue-17.lua; the dedup keys are found by SCAN first (a script must not walk the
   *  keyspace while Redis waits). One made by an enqueue racing the delete may outlive it by
   *  its DEDUP_SECONDS. */
  async deleteQueue(queue: string): Promise<boolean> {
    this.#registered.forget(queue);
    const dedup: string[] = [];
    await this.run(async () => {
      let cursor = '0';
      do {
        const [next, batch] = await this.redis.scan(cursor, 'MATCH', keys.dedupPattern(queue), 'COUNT', 1000);
        cursor = next;
        dedup.push(...batch);
      } while (cursor !== '0');
    });
    const r = await this.run(() => this.redis.deletequeue(keys.counter(queue), keys.pending(queue), keys.policy(queue),
      keys.status(queue), keys.consumers(queue), keys.rotation(queue), keys.leased(queue), keys.leaseTokens(queue),
      keys.attempts(queue), keys.settings(queue), keys.origin(queue), keys.delayed(queue), keys.clock(queue),
      keys.sqsQueue(queue), keys.queueset, keys.leasedQueues, keys.deadLettered, queue, keys.refcountSuffix, keys.metaSuffix,
      ...dedup));
    return Number(r) === 1;
  }

  async listQueues(): Promise<string[]> {
    const names = await this.run(() => this.redis.smembers(keys.queueset));
    return names.sort();
  }

  async info(queues: readonly string[]): Promise<QueueInfo[]> {
    if (queues.length === 0) return [];
    const p = this.redis.pipeline();
    for (const q of queues) p.llen(keys.pending(q)).get(keys.status(q)).get(keys.policy(q));
    const res = await this.run(() => p.exec());
    if (!res) throw storeError(new Error('pipeline aborted'));
    return queues.map((name, i) => {
      const [len, status, policy] = [0, 1, 2].map((j) => {
        const [err, value] = res[3 * i + j] ?? [new Error('missing pipeline reply'), null];
        if (err) throw storeError(err);
        return value;
      });
      return { name, length: Number(len ?? 0), status: decodeStatus(status), policy: decodePolicy(policy) };
    });
  }

  async getPolicy(queue: string): Promise<Policy | null> {
    return decodePolicy(await this.run(() => this.redis.get(keys.policy(queue))));
  }

  async setPolicy(queue: string, policy: Policy): Promise<void> {
    await this.run(() => this.redis.set(keys.policy(queue), POLICY_CODES[policy]));
  }

  async getStatus(queue: string): Promise<QueueStatus | null> {
    return decodeStatus(await this.run(() => this.redis.get(keys.status(queue))));
  }

  async setStatus(queue: string, status: QueueStatus): Promise<void> {
    await this.run(() => this.redis.set(keys.status(queue), STATUS_CODES[status]));
  }

  async ping(): Promise<void> {
    await this.run(() => this.redis.ping());
  }

  /** A lease op (redis-lease.ts) that the stream side calls. */
  leaseDispatched(queue: string, messages: readonly ReturnedMessage[], leaseMs: number): Promise<LeasedMessage[]> {
    return this.leases.leaseDispatched(queue, messages, leaseMs);
  }

  /** Closes the subscriber connection and the main one. Does not leave: whatever is still in
   *  this broker's inbox is reaped by another broker once the heartbeat expires. */
  close(): Promise<void> {
    this.closing ??= Promise.all([this.events.close(), this.replicaWait?.close()]).then(() => closeRedis(this.redis));
    return this.closing;
  }
}

/** Connects (failing fast when Redis is unreachable) and registers the scripts. */
export async function openRedisStore(opts: RedisStoreConfig | RedisStoreOptions): Promise<RedisStore> {
  const config: RedisStoreConfig = 'kind' in opts ? opts : { kind: 'redis', ...opts };
  const redis = createRedisClient(config);
  registerScripts(redis);
  // All commands of one event-loop turn in one socket write (see write-coalescing.ts).
  coalesceWrites(redis);
  const replicaWait = await openReplicaWait(redis, config, registerScripts);
  try {
    await connectRedis(redis, config);
  } catch (err) {
    await replicaWait?.close();
    throw err;
  }
  // Queued commands would hide an outage behind a long wait: once connected, fail fast instead.
  redis.options.enableOfflineQueue = false;
  return new RedisStore(redis as ScriptedRedis, replicaWait);
}
