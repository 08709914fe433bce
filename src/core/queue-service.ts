/**
 * QueueService: the broker's operations in queue terms, over any QueueStore. Validates names
 * and values before the store is touched, and shapes stats. Protocols (REST, JSON, streams)
 * call this; they never call the store.
 */
import { BrokerError } from '../errors.js';
import type { EnqueueOptions, QueueStore, TakeResult, TakenMessage, SoftGetResult } from '../storage/contract.js';
import type { StreamStore } from '../storage/stream-contract.js';
import type { MeterStore, MeterSums, QueueMeters } from '../storage/meter-contract.js';
import type { BrowsePage, BrowseStore, MessageState, RegisteredConsumer } from '../storage/browse-contract.js';
import type { SqsStore } from '../storage/sqs-contract.js';
import type { LeaseResult, LeaseStore, QueueSettings, ReceiptOutcome } from '../storage/lease-contract.js';
import type { Message, Policy, QueueStats, QueueStatus } from '../wire.js';
import { assertQueueName, assertReceipt, isKeyOfQueue, isValidQueueName } from './names.js';
import type { LongPoll } from './long-poll.js';
import type { ReceiptWatch } from './distributor.js';
import { countConsumers, sumConsumers, type ConsumerCounts, type LocalConsumers, type ReportedPolls } from './consumer-census.js';
import { type Activity, redeliveries } from './activity.js';
import { normalizeEnqueue } from './enqueue-options.js';

/** What a take hands out; its `expiresAt` goes back with it on a give-back, never into a reply. */
export type { TakenMessage };

export const MAX_BATCH = 1000;
export const PEEK_COUNT = 10;

export interface QueueServiceOptions {
  maxMessageBytes: number;
}

/** The parts QueueService works with besides its store. */
export interface QueueServiceParts {
  /** Counters for metrics and the dashboard, shared by the core parts. */
  activity: Activity;
  /** Waiting takes (`wait=`). */
  longPoll: LongPoll;
  /** The streaming consumers (the distributor): told of every ack, nack and extend, so a
   *  leased stream holding the receipt gets room; and counted. */
  streams: ReceiptWatch & LocalConsumers;
  /** What this broker last reported of its long polls (consumer-census.ts PollReporter). */
  pollReports?: ReportedPolls;
}

export class QueueService {
  readonly storeKind: string;
  readonly longPoll: LongPoll;
  private readonly activity: Activity;
  private readonly receipts: ReceiptWatch & LocalConsumers;
  /** What else this broker keeps by queue name (presque's counters) and forgets on a delete. */
  private readonly deletedListeners: ((queue: string) => void)[] = [];
  /** Told of each settings change made through this broker (the dashboard's dead-letter map). */
  private readonly settingsListeners: ((queue: string) => void)[] = [];
  private readonly pollReports: ReportedPolls | undefined;

  constructor(
    private readonly store: QueueStore & StreamStore & LeaseStore & MeterStore & SqsStore & BrowseStore,
    private readonly options: QueueServiceOptions,
    parts: QueueServiceParts,
  ) {
    this.storeKind = store.kind;
    this.longPoll = parts.longPoll;
    this.activity = parts.activity;
    this.receipts = parts.streams;
    this.pollReports = parts.pollReports;
  }

  /** Rejects values the broker never stores: empty, over the limit, not well-formed UTF-16/UTF-8. */
  checkValue(value: unknown): string {
    if (typeof value !== 'string') throw new BrokerError('INVALID_BATCH', 'a message value must be a string');
    if (value.length === 0) throw new BrokerError('EMPTY_VALUE');
    // Fast path: length in UTF-16 units × 3 bounds the UTF-8 size from above.
    if (value.length * 3 > this.options.maxMessageBytes && Buffer.byteLength(value, 'utf8') > this.options.maxMessageBytes) {
      throw new BrokerError('PAYLOAD_TOO_LARGE', `the message is over the ${this.options.maxMessageBytes}-byte limit`);
    }
    if (!value.isWellFormed()) throw new BrokerError('INVALID_UTF8', 'the message contains an unpaired surrogate (not valid UTF-8)');
    return value;
  }

  async add(queue: string, values: readonly unknown[], options: EnqueueOptions = {}): Promise<string[]> {
    assertQueueName(queue);
    if (values.length === 0 || values.length > MAX_BATCH) throw new BrokerError('INVALID_BATCH');
    const checked = values.map((v) => this.checkValue(v));
    const normalized = normalizeEnqueue(checked.length, options);
    const sent = this.store.enqueue(queue, checked, normalized);
    // Announced at once (no delay) and exactly once (no dedup): see own-enqueues.ts.
    if (!normalized.delayMs && normalized.dedupId === undefined) this.receipts.enqueueSent(queue);
    const keys = await sent;
    this.activity.count(queue, 'enqueued', keys.length);
    this.announceDelayed(queue, normalized);
    return keys;
  }

  async take(queue: string, count = 1): Promise<TakeResult> {
    assertQueueName(queue);
    return this.received(queue, await this.store.take(queue, count));
  }

  /**
   * Puts taken messages back at the front of their queue: the client that took them left before
   * its reply could be written (a GET deletes, so without this the messages would be lost).
   * Each keeps the expiry `take` reported (`expiresAt`), so its TTL still ends when it would have.
   */
  async returnUndelivered(queue: string, messages: readonly TakenMessage[]): Promise<void> {
    if (messages.length > 0) await this.store.requeue(queue, messages);
  }

  /** Take or lease, waiting up to `waitSeconds` for a message when the queue is empty. */
  async takeWaiting(queue: string, count: number, waitSeconds: number, leaseSeconds?: number, signal?: AbortSignal): Promise<TakeResult | LeaseResult> {
    assertQueueName(queue);
    const r = await this.longPoll.take(queue, count, waitSeconds * 1000, leaseSeconds === undefined ? undefined : leaseSeconds * 1000, signal);
    // LongPoll counts the expired messages it drops: its retries do not all reach here.
    return this.received(queue, r, false);
  }

  /** Counts a receive: messages delivered (pull), redeliveries, expired drops, empty receives. */
  private received<R extends TakeResult | LeaseResult>(queue: string, r: R, countExpired = true): R {
    const n = r.messages.length;
    if (n > 0) {
      this.activity.count(queue, 'delivered', n);
      this.activity.count(queue, 'redelivered', redeliveries(r));
    } else if (!r.stopped) this.activity.count(queue, 'emptyReceives');
    if (countExpired) this.activity.count(queue, 'expired', r.expired);
    return r;
  }

  async softGet(queue: string): Promise<SoftGetResult | null> {
    assertQueueName(queue);
    return this.store.softGet(queue);
  }

  async peek(queue: string, count = PEEK_COUNT): Promise<Message[]> {
    assertQueueName(queue);
    return this.store.peek(queue, count);
  }

  /** JSON `del`: only `<queue>:<digits>` keys of this queue (the original deleted any key). */
  async remove(queue: string, key: string): Promise<boolean> {
    assertQueueName(queue);
    if (!isKeyOfQueue(queue, key)) throw new BrokerError('INVALID_KEY', `key must be ${queue}:<number>`);
    return this.store.remove(queue, key);
  }

  /** Ends every stream of the queue on every broker (a last `null` frame), then purges. */
  async purge(queue: string): Promise<boolean> {
    assertQueueName(queue);
    await this.store.publish({ type: 'closed', queue });
    return this.store.purge(queue);
  }

  /**
   * DELETE /queues/<q>: ends every stream of the queue on every broker (a last `null` frame, as
   * purge), then deletes the queue and everything kept for it, in the store and in this broker's
   * counters. QUEUE_NOT_FOUND when the store knew nothing of it. An enqueue afterwards creates
   * it anew (keys from `<q>:1` again; receipts of before are stale).
   */
  async deleteQueue(queue: string): Promise<void> {
    assertQueueName(queue);
    await this.store.publish({ type: 'closed', queue });
    const known = await this.store.deleteQueue(queue);
    this.activity.forget(queue);
    for (const fn of this.deletedListeners) fn(queue);
    if (!known) throw new BrokerError('QUEUE_NOT_FOUND');
  }

  /** Calls `fn` with each queue this broker deletes (other brokers forget theirs when idle). */
  onDeleted(fn: (queue: string) => void): void {
    this.deletedListeners.push(fn);
  }

  /** Calls `fn` with each queue whose settings this broker changes. */
  onSettingsChanged(fn: (queue: string) => void): void {
    this.settingsListeners.push(fn);
  }

  /** Takes up to `count` messages under a lease of `leaseSeconds` (SPEC section 6). */
  async lease(queue: string, count: number, leaseSeconds: number): Promise<LeaseResult> {
    assertQueueName(queue);
    return this.received(queue, await this.store.lease(queue, count, leaseSeconds * 1000));
  }

  async ack(queue: string, receipt: string): Promise<void> {
    assertQueueName(queue);
    settled(await this.store.ack(queue, assertReceipt(receipt)));
    this.activity.count(queue, 'acked');
    this.announceSettled(queue, receipt, this.store.ackAnnounces === true);
  }

  async nack(queue: string, receipt: string, delaySeconds = 0): Promise<void> {
    assertQueueName(queue);
    settled(await this.store.nack(queue, assertReceipt(receipt), delaySeconds * 1000));
    this.announceSettled(queue, receipt);
  }

  /** Moves a leased message to the end of `target`; its lease ends (the holder's receipt is stale). */
  async moveLeased(queue: string, receipt: string, target: string): Promise<void> {
    assertQueueName(queue);
    assertQueueName(target);
    settled(await this.store.moveLeased(queue, assertReceipt(receipt), target));
    this.announceSettled(queue, receipt);
  }

  async extend(queue: string, receipt: string, leaseSeconds: number): Promise<void> {
    assertQueueName(queue);
    settled(await this.store.extend(queue, assertReceipt(receipt), leaseSeconds * 1000));
    this.receipts.extended(queue, receipt, leaseSeconds * 1000);
  }

  /** Every broker learns when the messages fall due, to wake its consumers then (due-waker.ts).
   *  Not awaited: a lost event only leaves them to the reaper and the safety polls. */
  private announceDelayed(queue: string, options: EnqueueOptions): void {
    if (options.delayMs !== undefined) this.store.publish({ type: 'delayed', queue, inMs: options.delayMs }).catch(() => {});
  }

  /** A leased stream on this broker learns at once; others by an event (not awaited: the ack
   *  is done, and a lost event only delays the holder's room until the lease's deadline). */
  private announceSettled(queue: string, receipt: string, storeAnnounced = false): void {
    if (this.receipts.settled(queue, receipt) || storeAnnounced) return;
    this.store.publish({ type: 'settled', queue, receipt }).catch(() => {});
  }

  async getSettings(queue: string): Promise<QueueSettings> {
    assertQueueName(queue);
    return this.store.getSettings(queue);
  }

  /** Changes the given settings, keeping the others. */
  async setSettings(queue: string, settings: QueueSettings): Promise<void> {
    assertQueueName(queue);
    if (settings.deadLetter !== undefined) assertQueueName(settings.deadLetter);
    await this.store.setSettings(queue, { ...(await this.store.getSettings(queue)), ...settings });
    for (const fn of this.settingsListeners) fn(queue);
  }

  /** A page of a queue's messages in one state, left as they are (the dashboard's lists). */
  async browse(queue: string, state: MessageState, offset: number, limit: number): Promise<BrowsePage> {
    assertQueueName(queue);
    return this.store.browse(queue, state, offset, limit);
  }

  /** Moves the messages of a dead-letter queue back where they died, or all to `destination`. */
  async redrive(deadQueue: string, destination?: string): Promise<number> {
    assertQueueName(deadQueue);
    if (destination !== undefined) assertQueueName(destination);
    return this.store.redrive(deadQueue, destination);
  }

  async listQueues(): Promise<string[]> {
    return this.store.listQueues();
  }

  async getPolicy(queue: string): Promise<Policy> {
    assertQueueName(queue);
    return (await this.store.getPolicy(queue)) ?? 'broadcast';
  }

  async setPolicy(queue: string, policy: Policy): Promise<void> {
    assertQueueName(queue);
    await this.store.setPolicy(queue, policy);
    await this.store.publish({ type: 'started', queue });
  }

  /** Effective status: a missing status key means started. */
  async getStatus(queue: string): Promise<QueueStatus> {
    assertQueueName(queue);
    return (await this.store.getStatus(queue)) ?? 'started';
  }

  async setStatus(queue: string, status: QueueStatus): Promise<void> {
    assertQueueName(queue);
    await this.store.setStatus(queue, status);
    // Every broker resumes streaming at once, not at its next safety poll.
    if (status === 'started') await this.store.publish({ type: 'started', queue });
  }

  async stats(queue: string): Promise<QueueStats> {
    assertQueueName(queue);
    const [stats] = await this.statsOf([queue]);
    return stats!;
  }

  /** Stats of some queues (a page of GET /stats/), one store round trip, in the order asked. */
  async someStats(queues: readonly string[]): Promise<QueueStats[]> {
    return this.statsOf(queues);
  }

  /** Stats of every registered queue, one store round trip for all of them. */
  async allStats(): Promise<QueueStats[]> {
    return this.statsOf(await this.store.listQueues());
  }

  /** Every registered queue with its meters (counts, status, age, dead letters), in one batched
   *  store read: what the queue overview and /metrics are made of. */
  /** Every broker's live streaming consumers of `queue`, from the store's registry. */
  async registeredConsumers(queue: string): Promise<RegisteredConsumer[]> {
    assertQueueName(queue);
    return this.store.registeredConsumers(queue);
  }

  /** This broker's id, as the registry names it. */
  get brokerId(): string {
    return this.store.brokerId;
  }

  async allMeters(): Promise<{ queues: string[]; meters: QueueMeters[] }> {
    const queues = await this.store.listQueues();
    return { queues, meters: await this.store.meters(queues) };
  }

  /** The meters of some queues (a page of the dashboard's queue list). */
  async metersOf(queues: readonly string[]): Promise<{ queues: string[]; meters: QueueMeters[] }> {
    return { queues: [...queues], meters: await this.store.meters(queues) };
  }

  /** The `limit` deepest queues by name, and the sums over every other registered queue with
   *  their consumers counted as consumerCounts counts them (a capped /metrics scrape). */
  async rankQueues(limit: number): Promise<{ top: string[]; rest: MeterSums; restConsumers: ConsumerCounts }> {
    const { top, rest } = await this.store.rankQueues(limit);
    const restConsumers = sumConsumers(new Set(top), rest.consumers, rest.polls, this.receipts, this.longPoll, this.pollReports);
    return { top, rest, restConsumers };
  }

  /** The one count of consumers every view shows; `registered`: the store's, per queue. */
  async consumerCounts(queues: readonly string[], registered: readonly number[]): Promise<ConsumerCounts[]> {
    return countConsumers(queues, registered, await this.store.pollsWaiting(queues), this.receipts, this.longPoll, this.pollReports);
  }

  /** Stats in the legacy shape, made of one meters read (`dead` only where `<q>.dead` is a
   *  name the broker could have written to). */
  private async statsOf(queues: readonly string[]): Promise<QueueStats[]> {
    const meters = await this.store.meters(queues);
    const counted = await this.consumerCounts(queues, meters.map((m) => m.consumers));
    return queues.map((queue, n) => {
      const m = meters[n]!;
      return {
        queue,
        len: m.ready,
        status: m.status === 'stopped' ? 0 : 1,
        policy: m.policy === 'roundrobin' ? 2 : 1,
        ready: m.ready,
        inflight: m.inflight,
        delayed: m.delayed,
        dead: isValidQueueName(`${queue}.dead`) ? m.dead : 0,
        consumers: counted[n]!.total,
        polls: counted[n]!.poll,
      };
    });
  }

  /** The store's SQS records (sqs-contract.ts); the SQS protocol validates what it writes. */
  get sqs(): SqsStore {
    return this.store;
  }

  /** Forgets the queue's lease settings (max attempts, dead letter, lease). */
  async clearSettings(queue: string): Promise<void> {
    assertQueueName(queue);
    await this.store.setSettings(queue, {});
    for (const fn of this.settingsListeners) fn(queue);
  }

  /** An enqueue with SQS metadata, counted as any other. */
  async addWithMeta(queue: string, value: string, meta: string, options: EnqueueOptions = {}): Promise<string> {
    assertQueueName(queue);
    const normalized = normalizeEnqueue(1, options);
    const key = await this.store.enqueueWithMeta(queue, this.checkValue(value), meta, normalized);
    this.activity.count(queue, 'enqueued', 1);
    this.announceDelayed(queue, normalized);
    return key;
  }

  async ping(): Promise<void> {
    await this.store.ping();
  }
}

function settled(outcome: ReceiptOutcome): void {
  if (outcome === 'stale') throw new BrokerError('STALE_RECEIPT');
}
