/**
 * The stream side of the cluster store (stream-contract.ts), per queue: a broker's inbox is one
 * list per queue, `{q}:inbox:<broker>`, and its liveness is kept per queue too, in `{q}:brokers`
 * (raised by registrations, set by heartbeats for every queue this broker serves), so a dispatch
 * and a reap touch one slot. The contract's one inbox is the union of this broker's per-queue
 * inboxes: readInbox reads them in turn and ackInbox trims what the last read took from each.
 * Items carry the dispatching node's clock (dispatch-n.lua), by which reads of several queues
 * are merged oldest first. A dispatch reads only its queue's inbox unless another inbox of this
 * broker may hold items (it dispatched into it, was woken for it, or found it non-empty).
 * Generations (a read made before this broker was found reaped is not acked) are per queue.
 */
import type { LeasedMessage } from '../../wire.js';
import type { Delivery, DispatchResult, ReturnedMessage } from '../stream-contract.js';
import { CLUSTER_QUEUE_KEY_NAMES, clusterKeys, clusterQueueKeys, clusterQueueOf } from './keys.js';
import { expiryArg, metaArg, parseItem } from './inbox-item.js';
import { newTokens } from './redis-lease.js';
import type { ScriptedCluster } from './cluster-scripts.js';
import type { ClusterEvents } from './cluster-events.js';
import type { Run } from './redis-errors.js';


interface Served {
  /** The other brokers live on this queue at the last dispatch: whose inboxes it declares. */
  others: string[];
  generation: number;
  /** This broker's consumers registered on the queue. */
  consumers: Set<string>;
}

/** A stamped inbox item: its stamp (digits) and its delivery. */
interface Stamped {
  stamp: string;
  delivery: Delivery;
  queue: string;
}

function parseStamped(queue: string, item: string): Stamped {
  const cut = item.indexOf('\n');
  return { stamp: item.slice(0, cut), delivery: parseItem(item.slice(cut + 1)), queue };
}

/** Stamps are whole numbers in digits: a shorter one is smaller. */
const older = (a: Stamped, b: Stamped) => (a.stamp.length - b.stamp.length) || (a.stamp < b.stamp ? -1 : a.stamp > b.stamp ? 1 : 0);

/** Most names the streamed-queues cache remembers before it starts again. */
const LISTED_MAX = 10_000;
/** How many queues the reaper looks at concurrently. */
const REAP_BATCH = 50;

/** Re-declaring missing inboxes converges in one retry unless brokers keep joining. */
const DISPATCH_TRIES = 5;

export class ClusterStream {
  private readonly served = new Map<string, Served>();
  /** What the last read took: per queue, how many items, in which generation. */
  private lastRead: { queue: string; n: number; generation: number }[] = [];
  /** Queues whose inbox of this broker may hold items. */
  private readonly filled = new Set<string>();
  /** Queues this process has put into the streamed-queues set. */
  private readonly listed = new Set<string>();

  constructor(
    private readonly cluster: ScriptedCluster,
    readonly brokerId: string,
    private readonly events: ClusterEvents,
    private readonly run: Run,
  ) {
    events.onWake = (queue) => this.filled.add(queue);
  }

  /** The queue was deleted (its entry in the streamed-queues set too): a later registration
   *  must list it again; its inbox of this broker is gone. */
  forget(queue: string): void {
    this.listed.delete(queue);
    this.filled.delete(queue);
  }

  private serve(queue: string): Served {
    let s = this.served.get(queue);
    if (!s) {
      s = { others: [], generation: 0, consumers: new Set() };
      this.served.set(queue, s);
    }
    return s;
  }

  async registerConsumers(queue: string, consumerIds: readonly string[], ttlMs: number): Promise<void> {
    if (consumerIds.length === 0) return;
    const s = this.serve(queue);
    for (const id of consumerIds) s.consumers.add(id);
    const members = consumerIds.map((id) => `${this.brokerId}/${id}`);
    await this.run(async () => {
      if (!this.listed.has(queue)) await this.list(queue);
      await this.events.watch(queue);
      const unknown = await this.cluster.register(clusterKeys.consumers(queue), clusterKeys.brokers(queue),
        String(Math.max(1, Math.ceil(ttlMs))), this.brokerId, ...members);
      if (Number(unknown) === 1) await this.rejoined(queue, s);
    });
  }

  async unregisterConsumers(queue: string, consumerIds: readonly string[]): Promise<void> {
    if (consumerIds.length === 0) return;
    const s = this.served.get(queue);
    for (const id of consumerIds) s?.consumers.delete(id);
    await this.run(() => this.cluster.zrem(clusterKeys.consumers(queue), ...consumerIds.map((id) => `${this.brokerId}/${id}`)));
  }

  async dispatch(queue: string, count: number, read: number): Promise<DispatchResult> {
    const s = this.serve(queue);
    for (let i = 0; i < DISPATCH_TRIES; i++) {
      const brokers = [this.brokerId, ...s.others];
      const generation = s.generation;
      const r = await this.run(() => this.cluster.dispatch(CLUSTER_QUEUE_KEY_NAMES.length + brokers.length, ...clusterQueueKeys(queue),
        ...brokers.map((b) => clusterKeys.inbox(queue, b)), queue, clusterKeys.events(queue), String(Math.max(0, count)),
        String(Math.max(0, read)), String(brokers.length), ...brokers));
      if (Number(r[0]) === -1) {
        s.others = r.slice(2).map(String).filter((b) => b !== this.brokerId);
        continue;
      }
      if (Number(r[0]) > 0) this.filled.add(queue);
      const others = [...this.filled].some((q) => q !== queue);
      if (read > 0 && others) return { dispatched: Number(r[0]), inbox: await this.readInbox(read) };
      const inbox = r.slice(2).map((item) => parseStamped(queue, String(item)).delivery);
      if (read > 0 && inbox.length === 0) this.filled.delete(queue);
      this.lastRead = [{ queue, n: inbox.length, generation }];
      return { dispatched: Number(r[0]), inbox };
    }
    // Brokers kept joining: dispatch nothing this time, read what is there.
    return { dispatched: 0, inbox: await this.readInbox(read) };
  }

  /** The oldest `read` items over every inbox of this broker, merged by stamp (an event may
   *  be lost, so not only the queues known to be filled are read). */
  async readInbox(read: number): Promise<Delivery[]> {
    this.lastRead = [];
    if (read <= 0) return [];
    const queues = [...this.served.keys()];
    const generations = queues.map((q) => this.serve(q).generation);
    const lists = await this.run(() => Promise.all(queues.map((q) => this.cluster.lrange(clusterKeys.inbox(q, this.brokerId), -read, -1))));
    const all: Stamped[] = [];
    queues.forEach((q, i) => {
      const items = lists[i]!;
      if (items.length === 0) this.filled.delete(q);
      else this.filled.add(q);
      all.push(...items.reverse().map((item) => parseStamped(q, item)));
    });
    // Stable: items of one queue keep their inbox order.
    const taken = all.sort(older).slice(0, read);
    const counts = new Map<string, number>();
    for (const t of taken) counts.set(t.queue, (counts.get(t.queue) ?? 0) + 1);
    this.lastRead = queues.flatMap((q, i) => (counts.has(q) ? [{ queue: q, n: counts.get(q)!, generation: generations[i]! }] : []));
    return taken.map((t) => t.delivery);
  }

  /** Trims, per queue, what the n oldest items took from its tail: as the last read found them,
   *  or, for more than it read, as a read now finds them. */
  async ackInbox(n: number): Promise<void> {
    if (n <= 0) return;
    const stale = this.lastRead.some((r) => this.serve(r.queue).generation !== r.generation);
    if (!stale && this.lastRead.reduce((sum, r) => sum + r.n, 0) < n) await this.readInbox(n);
    let left = n;
    for (const r of this.lastRead) {
      if (left <= 0) break;
      const k = Math.min(left, r.n);
      left -= k;
      if (this.serve(r.queue).generation !== r.generation) continue;
      await this.run(() => this.cluster.ltrim(clusterKeys.inbox(r.queue, this.brokerId), 0, -(k + 1)));
    }
    this.lastRead = [];
  }

  /** leasedispatched-20.lua; the queue joins the leased queues after, as with lease. */
  async leaseDispatched(queue: string, messages: readonly ReturnedMessage[], leaseMs: number): Promise<LeasedMessage[]> {
    const prefix = `${queue}:`;
    const mine = messages.filter((m) => m.key.startsWith(prefix) && /^[1-9][0-9]*$/.test(m.key.slice(prefix.length)));
    if (mine.length === 0) return [];
    const tokens = newTokens(mine.length);
    const r = await this.run(() => this.cluster.leasedispatched(...clusterQueueKeys(queue), queue, String(Math.max(1, Math.ceil(leaseMs))),
      ...mine.flatMap((m, i) => [m.key.slice(prefix.length), m.value, tokens[i]!, expiryArg(m), metaArg(m)])));
    const values = new Map(mine.map((m) => [m.key, m.value]));
    const leased: LeasedMessage[] = [];
    for (let i = 0; i + 2 < r.length; i += 3) {
      const key = String(r[i]);
      leased.push({ key, value: values.get(key)!, receipt: `${key.slice(prefix.length)}.${String(r[i + 1])}`, attempts: Number(r[i + 2]) });
    }
    if (leased.length > 0) await this.run(() => this.cluster.sadd(clusterKeys.leasedQueues, queue));
    return leased;
  }

  async requeue(queue: string, messages: readonly ReturnedMessage[]): Promise<void> {
    const prefix = `${queue}:`;
    const args = messages
      .filter((m) => m.key.startsWith(prefix) && /^[1-9][0-9]*$/.test(m.key.slice(prefix.length)))
      .flatMap((m) => [m.key.slice(prefix.length), m.value, expiryArg(m), metaArg(m)]);
    if (args.length === 0) return;
    await this.run(() => this.cluster.requeue(...clusterQueueKeys(queue), queue, clusterKeys.events(queue), ...args));
  }

  /** Heartbeats every queue this broker serves, and lists them for the reaper; one it no longer
   *  has consumers on and whose inbox was empty at the last read is let go (anything left in
   *  its inbox goes back). */
  async heartbeat(ttlMs: number): Promise<void> {
    const ttl = String(Math.max(1, Math.ceil(ttlMs)));
    for (const [queue, s] of this.served) {
      if (s.consumers.size === 0 && !this.filled.has(queue) && !this.lastRead.some((r) => r.queue === queue)) {
        await this.release(queue, [this.brokerId], '1');
        this.served.delete(queue);
        this.listed.delete(queue);
        await this.events.unwatch(queue);
        continue;
      }
      const unknown = await this.run(() => this.cluster.heartbeat(clusterKeys.brokers(queue), ttl, this.brokerId));
      if (Number(unknown) === 1) await this.run(() => this.rejoined(queue, s));
    }
    // One idempotent SADD of every queue served: entries the set lost (a failover of its slot)
    // are back within a heartbeat while a broker serves the queue.
    const served = [...this.served.keys()];
    if (served.length > 0) await this.run(() => this.cluster.sadd(clusterKeys.streamQueues, ...served));
  }

  /** This broker was unknown to the queue (new there, or reaped since): reads made before are
   *  stale, and the reaper may have dropped the queue from its set meanwhile (see reap). */
  private async rejoined(queue: string, s: Served): Promise<void> {
    s.generation++;
    await this.list(queue);
  }

  private async list(queue: string): Promise<void> {
    await this.cluster.sadd(clusterKeys.streamQueues, queue);
    // A cache of idempotent SADDs: bounded, as clients may stream from ever new names.
    if (this.listed.size >= LISTED_MAX) this.listed.clear();
    this.listed.add(queue);
  }

  /**
   * Every streamed queue, a batch at a time: brokers whose expiry there has passed go (the
   * script checks again). A queue that no broker serves any more leaves the set, so a run costs
   * one read per queue with live streams, not per queue ever streamed. Its brokers ZSET being
   * gone means no inbox of it holds items: an inbox fills only while its broker is in the ZSET
   * and is deleted when the broker leaves it. A broker that joins the queue meanwhile adds it
   * back after its script (a registration or heartbeat that finds it unknown), and the reaper
   * looks again after its SREM: one of the two sees the other.
   */
  async reap(): Promise<number> {
    const queues = await this.run(() => this.cluster.smembers(clusterKeys.streamQueues));
    let returned = 0;
    for (let i = 0; i < queues.length; i += REAP_BATCH) {
      const counts = await Promise.all(queues.slice(i, i + REAP_BATCH).map((q) => this.reapQueue(q)));
      returned += counts.reduce((a, b) => a + b, 0);
    }
    return returned;
  }

  private async reapQueue(queue: string): Promise<number> {
    const brokers = clusterKeys.brokers(queue);
    const all = await this.run(() => this.cluster.zrange(brokers, 0, -1, 'WITHSCORES'));
    const now = Date.now();
    const gone: string[] = [];
    for (let i = 0; i + 1 < all.length; i += 2) if (Number(all[i + 1]) <= now) gone.push(all[i]!);
    const returned = gone.length > 0 ? await this.release(queue, gone, '') : 0;
    if (gone.length === all.length / 2) {
      await this.run(async () => {
        if ((await this.cluster.exists(brokers)) > 0) return;
        await this.cluster.srem(clusterKeys.streamQueues, queue);
        if ((await this.cluster.exists(brokers)) > 0) await this.cluster.sadd(clusterKeys.streamQueues, queue);
      });
    }
    return returned;
  }

  /** Lists again every queue some broker is recorded on (`{q}:brokers` on every primary), for
   *  `restmq repair-index`: a failover may lose entries of the reaper's set, and a queue whose
   *  only broker died has nobody left to heartbeat it back. Resolves to how many it found. */
  async relist(): Promise<number> {
    const found = new Set<string>();
    for (const node of this.cluster.nodes('master')) {
      let cursor = '0';
      do {
        const [next, batch] = await this.run(() => node.scan(cursor, 'MATCH', clusterKeys.brokers('*'), 'COUNT', 1000));
        cursor = next;
        for (const key of batch) {
          const q = clusterQueueOf(key);
          if (q !== undefined && key === clusterKeys.brokers(q)) found.add(q);
        }
      } while (cursor !== '0');
    }
    if (found.size > 0) await this.run(() => this.cluster.sadd(clusterKeys.streamQueues, ...found));
    return found.size;
  }

  async leave(): Promise<void> {
    for (const queue of this.served.keys()) await this.release(queue, [this.brokerId], '1');
  }

  private async release(queue: string, brokers: readonly string[], force: string): Promise<number> {
    return Number(await this.run(() => this.cluster.reap(CLUSTER_QUEUE_KEY_NAMES.length + brokers.length, ...clusterQueueKeys(queue),
      ...brokers.map((b) => clusterKeys.inbox(queue, b)), queue, clusterKeys.events(queue), force, ...brokers)));
  }
}
