/**
 * The distributor: the one front door of streaming consumers (COMET, SSE, WebSocket, leased
 * or not), so one policy governs every consumer of a queue. It keeps this broker's consumers
 * by queue, registers them all in the store (so every broker sharing it sees and counts
 * them), and runs one pump: on an event or the safety poll it asks the store to dispatch a
 * queue's messages into broker inboxes (the store applies the policy), reads this broker's
 * inbox, hands each item to its consumer(s), and acknowledges the items once written.
 *
 * A roundrobin turn of a leased consumer becomes a lease: the item is leased to that consumer
 * straight from the inbox, in one store step (so no other broker can take the turn between
 * dispatch and lease), up to its room (see lease-streams.ts); what it has no room for goes back
 * to the front of the queue for the next turn. A broadcast copy is written to every consumer
 * as it is, leased ones included: it left the queue when it was dispatched, so it carries no
 * receipt.
 */
import type { Delivery, ReturnedMessage, StoreEvent } from '../storage/stream-contract.js';
import { BrokerError } from '../errors.js';
import type { Message } from '../wire.js';
import { Consumer, type ConsumerInfo, type ConsumerSink, type EndReason, type Handed, type Transport } from './consumer.js';
import type { Activity } from './activity.js';
import { reportsOf } from './consumer-reports.js';
import { DEFAULT_PREFETCH, Holdings } from './lease-streams.js';
import { DEFAULT_DISTRIBUTOR_OPTIONS, type AttachOptions, type BrokerStore, type DistributorOptions, type Log, type ReceiptWatch,
  type StreamHandle } from './distributor-api.js';
import { LeaseTurns, type Turns } from './lease-turns.js';
import { OwnEnqueues } from './own-enqueues.js';

export { DEFAULT_DISTRIBUTOR_OPTIONS };
export type { AttachOptions, BrokerStore, DistributorOptions, Log, ReceiptWatch, StreamHandle };

/** A delivery as consumers get it; its expiry and SQS metadata ride along so that, handed back,
 *  it keeps its TTL and attributes (streams write only key and value). */
const returnable = (d: Delivery): ReturnedMessage => {
  const m: ReturnedMessage = { key: d.key, value: d.value };
  if (d.expiresAt !== undefined) m.expiresAt = d.expiresAt;
  if (d.meta !== undefined) m.meta = d.meta;
  return m;
};

export class Distributor implements ReceiptWatch {
  private readonly byQueue = new Map<string, Map<string, Consumer>>();
  private readonly dirty = new Set<string>();
  /** Average value size seen per queue, to size dispatches by bytes. */
  private readonly avgBytes = new Map<string, number>();
  private inboxDirty = true;
  private pumping = false;
  private stopped = false;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: (() => Promise<void>) | undefined;
  /** Store writes started outside the pump (unregister, requeue) that stop() waits for. */
  private readonly background = new Set<Promise<unknown>>();
  /** Leased consumers by `<queue>\n<receipt>` of each message they hold. */
  private readonly holders = new Map<string, Consumer>();
  /** Leases the roundrobin turns of leased consumers (lease-turns.ts). */
  private readonly leasing: LeaseTurns;
  /** Announcements already covered by a dispatch sent behind this broker's own enqueue. */
  private readonly ownEnqueues = new OwnEnqueues();
  /** Called when a queue gets its first consumer here (due-waker.ts watches it then). */
  onFirstConsumer: (queue: string) => void = () => {};

  constructor(
    private readonly store: BrokerStore,
    private readonly log: Log,
    /** Counters for metrics and the dashboard, shared by the core parts. */
    private readonly activity: Activity,
    private readonly options: DistributorOptions = DEFAULT_DISTRIBUTOR_OPTIONS,
  ) {
    this.leasing = new LeaseTurns(store, activity, this.holders);
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.store.subscribe((e) => this.onEvent(e));
    await this.store.heartbeat(this.options.registrationTtlMs);
    const every = (ms: number, fn: () => void) => this.timers.push(setInterval(fn, ms).unref());
    every(this.options.pollMs, () => {
      for (const q of this.byQueue.keys()) this.dirty.add(q);
      this.ownEnqueues.clear();
      this.inboxDirty = true;
      this.schedule();
    });
    every(Math.max(100, Math.floor(this.options.registrationTtlMs / 3)), () => void this.refresh());
    const { heartbeatMs, cometHeartbeatMs, stallMs } = this.options;
    every(Math.max(50, Math.floor(Math.min(heartbeatMs || Infinity, cometHeartbeatMs || Infinity, stallMs) / 3)), () => {
      const now = Date.now();
      for (const consumers of [...this.byQueue.values()]) {
        for (const c of [...consumers.values()]) {
          const idleMs = c.transport === 'comet' ? cometHeartbeatMs : heartbeatMs;
          if (c.stalled(now, stallMs)) this.remove(c, c.close('overflow'), 'overflow');
          else if (idleMs > 0) c.heartbeat(now, idleMs);
        }
      }
    });
    this.schedule();
  }

  /** Adds a consumer of `queue`, leased or not; messages start flowing at once. */
  async attach(queue: string, transport: Transport, sink: ConsumerSink, opts: AttachOptions = {}): Promise<StreamHandle> {
    if (this.stopped) throw new BrokerError('SHUTTING_DOWN');
    const holdings = opts.leaseMs === undefined ? undefined : new Holdings(opts.leaseMs, opts.prefetch ?? DEFAULT_PREFETCH);
    const consumer = new Consumer(
      queue,
      transport,
      sink,
      this.options,
      (c, unwritten) => this.remove(c, unwritten, 'overflow'),
      (c) => {
        this.dirty.add(c.queue);
        this.schedule();
      },
      holdings,
    );
    consumer.remote = opts.remote ?? '';
    let consumers = this.byQueue.get(queue);
    if (!consumers) {
      this.byQueue.set(queue, (consumers = new Map()));
      this.onFirstConsumer(queue);
    }
    consumers.set(consumer.id, consumer);
    try {
      await this.store.registerConsumers(queue, [consumer.id], this.options.registrationTtlMs);
    } catch (err) {
      // Nothing was streamed yet: leave the transport alone so the client gets the error reply.
      consumer.abandon();
      this.remove(consumer, [], 'error');
      throw err;
    }
    this.dirty.add(queue);
    this.schedule();
    return {
      get info() {
        return consumer.info;
      },
      detach: (reason: EndReason = 'client') => this.remove(consumer, consumer.close(reason), reason),
    };
  }

  settled(queue: string, receipt: string): boolean {
    const c = this.holders.get(`${queue}\n${receipt}`);
    if (!c) return false;
    this.holders.delete(`${queue}\n${receipt}`);
    c.holdings?.settle(receipt);
    // Room again: its next turn may be leased.
    if (c.hasRoom) {
      this.dirty.add(queue);
      this.schedule();
    }
    return true;
  }

  extended(queue: string, receipt: string, leaseMs: number): void {
    this.holders.get(`${queue}\n${receipt}`)?.holdings?.extend(receipt, leaseMs);
  }

  /**
   * At idle (no pump running), a local enqueue of a queue streamed here is followed at once by
   * its dispatch, in the same turn, so both reach the store together: one round trip to the
   * consumer instead of two, and no wait for the announcement (which is then skipped).
   */
  enqueueSent(queue: string): void {
    if (this.pumping || this.stopped || !this.store.inOrder || !this.hasRoom(queue)) return;
    this.dirty.add(queue);
    this.ownEnqueues.sent(queue);
    this.pumping = true;
    this.runPump();
  }

  /** Dispatches the queue now (a delayed message fell due); false when it has no consumer here. */
  wake(queue: string): boolean {
    if (!this.byQueue.has(queue)) return false;
    this.dirty.add(queue);
    this.schedule();
    return true;
  }

  /** This broker's live consumers, leased or not, oldest first per queue (for the dashboard). */
  consumers(): ConsumerInfo[] {
    const list: ConsumerInfo[] = [];
    for (const consumers of this.byQueue.values()) for (const c of consumers.values()) list.push(c.info);
    return list;
  }

  /** Calls `fn` for each live consumer on this broker (the queue overview counts them). */
  eachConsumer(fn: (queue: string, transport: Transport) => void): void {
    for (const [queue, consumers] of this.byQueue) for (const c of consumers.values()) fn(queue, c.transport);
  }

  /** Ends every stream (their unwritten messages go back to the queue) and leaves the store. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    for (const consumers of [...this.byQueue.values()]) for (const c of [...consumers.values()]) this.remove(c, c.close('shutdown'), 'shutdown');
    await this.unsubscribe?.();
    while (this.pumping) await new Promise((r) => setTimeout(r, 5));
    await Promise.all(this.background);
    await this.store.leave().catch((err: unknown) => this.log.warn({ err }, 'leaving the store failed'));
  }

  private onEvent(e: StoreEvent): void {
    switch (e.type) {
      case 'enqueued':
        if (this.ownEnqueues.absorb(e.queue)) return;
        if (this.byQueue.has(e.queue)) this.dirty.add(e.queue);
        break;
      case 'started':
        if (this.byQueue.has(e.queue)) this.dirty.add(e.queue);
        break;
      case 'closed':
        for (const c of [...(this.byQueue.get(e.queue)?.values() ?? [])]) this.remove(c, c.close('deleted'), 'deleted');
        return;
      case 'wake':
        if (e.broker !== this.store.brokerId) return;
        this.inboxDirty = true;
        break;
      case 'settled':
        this.settled(e.queue, e.receipt);
        return;
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    // Start after the current I/O phase, so the enqueues of one event-loop turn are
    // dispatched (and written to each consumer) together rather than one by one.
    setImmediate(() => this.runPump());
  }

  private runPump(): void {
    void this.pump().finally(() => {
      this.pumping = false;
      // An event may land between the pump's last check and here (SQLite settles an
      // enqueue and the pump's ack in one commit, so in the same turn): it saw `pumping`
      // and left the work to this pump; without this it would wait for the safety poll.
      if (this.dirty.size > 0 || this.inboxDirty) this.schedule();
    });
  }

  /** One pump per broker: inbox reads and acks must not interleave. */
  private async pump(): Promise<void> {
    const { batch } = this.options;
    try {
      while (!this.stopped && (this.dirty.size > 0 || this.inboxDirty)) {
        let items: Delivery[];
        const queue = this.dirty.values().next().value;
        if (queue !== undefined) {
          this.dirty.delete(queue);
          // Only when a consumer can take more: a slow reader sets the pace (its drain re-marks the queue).
          if (!this.hasRoom(queue)) continue;
          const count = this.dispatchCount(queue);
          const r = await this.store.dispatch(queue, count, batch);
          if (r.dispatched === count) this.dirty.add(queue);
          items = r.inbox;
        } else {
          this.inboxDirty = false;
          items = await this.store.readInbox(batch);
        }
        if (items.length === 0) continue;
        const { back, turns } = this.fanOut(items);
        for (const [q, messages] of back) await this.store.requeue(q, messages);
        // Leased before the ack: should this broker die in between, the reaper returns the
        // inbox and skips what is leased (its body exists); a retried read leases nothing twice.
        for (const [q, t] of turns) await this.leasing.leaseTurns(q, t);
        // A store that keeps call order applies the ack before any later read: no need to
        // wait for it, so a local enqueue arriving meanwhile finds the pump idle (enqueueSent).
        if (this.store.inOrder) this.track(this.store.ackInbox(items.length), 'acknowledging written inbox items failed');
        else await this.store.ackInbox(items.length);
        if (items.length === batch) this.inboxDirty = true;
      }
    } catch (err) {
      // The store is unreachable or failed: the safety poll retries; nothing was acked.
      this.log.warn({ err }, 'stream delivery failed; retrying on the next poll');
    }
  }

  private hasRoom(queue: string): boolean {
    const consumers = this.byQueue.get(queue);
    if (!consumers) return false;
    for (const c of consumers.values()) if (c.hasRoom) return true;
    return false;
  }

  /** Up to `batch` messages, fewer when they are big, so one dispatch holds ~batchBytes. */
  private dispatchCount(queue: string): number {
    const avg = this.avgBytes.get(queue) ?? 1024;
    return Math.max(1, Math.min(this.options.batch, Math.floor(this.options.batchBytes / Math.max(avg, 1))));
  }

  /**
   * Hands inbox items to local consumers. Returns, by queue, what must go back to the front of
   * its queue (in inbox order), and the roundrobin turns of leased consumers (to be leased).
   */
  private fanOut(items: readonly Delivery[]): { back: Map<string, ReturnedMessage[]>; turns: Map<string, Turns> } {
    const back = new Map<string, ReturnedMessage[]>();
    const turns = new Map<string, Turns>();
    // Copies handed to consumers, by queue: one Activity update per queue per batch.
    const pushed = new Map<string, number>();
    const giveBack = (d: Delivery) => {
      const list = back.get(d.queue) ?? [];
      list.push(returnable(d));
      back.set(d.queue, list);
    };
    for (const d of items) {
      this.avgBytes.set(d.queue, ((this.avgBytes.get(d.queue) ?? d.value.length) * 7 + d.value.length) / 8);
      const consumers = this.byQueue.get(d.queue);
      const message = returnable(d);
      if (d.consumer !== undefined) {
        const c = consumers?.get(d.consumer);
        if (c?.holdings && !c.closed) {
          let t = turns.get(d.queue);
          if (!t) turns.set(d.queue, (t = { consumers: [], messages: [] }));
          t.consumers.push(c);
          t.messages.push(message);
        } else if (c && !c.closed) {
          c.deliver({ message, queue: d.queue, copiesOf: { total: 1, failed: 0, copies: 1 } });
          pushed.set(d.queue, (pushed.get(d.queue) ?? 0) + 1);
        } else giveBack(d);
      } else if (!consumers || consumers.size === 0) {
        // Nobody here any more: back to the queue, unless other brokers' consumers got copies.
        if (d.copies === 1) giveBack(d);
      } else {
        const copiesOf = { total: consumers.size, failed: 0, copies: d.copies };
        for (const c of consumers.values()) c.deliver({ message, queue: d.queue, copiesOf });
        pushed.set(d.queue, (pushed.get(d.queue) ?? 0) + consumers.size);
      }
    }
    for (const [queue, n] of pushed) this.activity.count(queue, 'delivered', n, 'push');
    return { back, turns };
  }


  /**
   * Forgets a consumer. A message it did not write goes back to the front of the queue when
   * no other consumer anywhere got it (every local copy failed, no other broker had one);
   * not after DELETE, which purges the queue.
   */
  private remove(consumer: Consumer, unwritten: Handed[], reason: EndReason): void {
    const consumers = this.byQueue.get(consumer.queue);
    if (consumers?.delete(consumer.id) && consumers.size === 0) {
      this.byQueue.delete(consumer.queue);
      this.avgBytes.delete(consumer.queue);
    }
    this.track(this.store.unregisterConsumers(consumer.queue, [consumer.id]), 'unregistering a consumer failed');
    // Every message a leased consumer held and did not acknowledge goes back now, written or
    // not: nobody will acknowledge it (the nack keeps its attempt; stale receipts are no-ops).
    const receipts = consumer.holdings?.release() ?? [];
    for (const r of receipts) this.holders.delete(`${consumer.queue}\n${r}`);
    if (reason === 'deleted') return;
    if (receipts.length > 0) this.track(this.leasing.nackAll(consumer.queue, receipts), 'returning leased messages failed; their leases will end');
    const back: Message[] = [];
    for (const h of unwritten) {
      if ('receipt' in h.message) continue;
      h.copiesOf.failed++;
      if (h.copiesOf.failed === h.copiesOf.total && h.copiesOf.copies === 1) back.push(h.message);
    }
    if (back.length > 0) this.track(this.store.requeue(consumer.queue, back), 'returning messages to the queue failed');
  }


  private track(p: Promise<unknown>, failure: string): void {
    const tracked = p.catch((err: unknown) => this.log.warn({ err }, failure)).finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }

  private async refresh(): Promise<void> {
    try {
      await this.store.heartbeat(this.options.registrationTtlMs);
      for (const [queue, consumers] of this.byQueue) {
        await this.store.registerConsumers(queue, [...consumers.keys()], this.options.registrationTtlMs);
        // Counts for other brokers' dashboards: not waited for, so a failed or slow one never
        // holds back the registrations and the reap that delivery depends on.
        this.track(this.store.publishConsumerReports(queue, reportsOf(consumers.values()), this.options.registrationTtlMs), 'publishing consumer counts failed');
      }
      if ((await this.store.reap()) > 0) this.inboxDirty = true;
      this.schedule();
    } catch (err) {
      this.log.warn({ err }, 'refreshing consumer registrations failed');
    }
  }
}
