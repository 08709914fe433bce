/**
 * The stream side of the Redis store (stream-contract.ts): consumer registrations, dispatch
 * into broker inboxes, inbox reads and acks, requeue, heartbeats and the reaper. Shared state
 * lives in Redis under restmq:* (keys.ts), so every broker on the Redis agrees on it; every
 * state change is one Lua script, timed by the Redis clock (brokers' clocks may differ).
 * An inbox is a LIST, newest at the head; its one reader reads and trims the tail only, so
 * items other brokers LPUSH meanwhile are never touched.
 *
 * A broker that stalls past its heartbeat is reaped although alive: its inbox goes back to the
 * queues and is deleted, and nothing lands in it until it heartbeats or registers again. So
 * when a heartbeat or registration finds the broker unknown, every read made before is stale,
 * and the ack that follows such a read is dropped: it would trim items the broker never read
 * (the written ones it meant to ack are back in their queues: at least once, not lost).
 */
import type { Delivery, DispatchResult, ReturnedMessage } from '../stream-contract.js';
import { expiryArg, metaArg, parseItem } from './inbox-item.js';
import { keys } from './keys.js';
import type { ScriptedRedis } from './scripts.js';
import type { Run } from './redis-errors.js';



/** Only keys this queue could have issued (`<q>:<digits>`) are ever written back. */
const isKeyOf = (queue: string, key: string) =>
  key.startsWith(keys.messagePrefix(queue)) && /^[1-9][0-9]*$/.test(key.slice(keys.messagePrefix(queue).length));

export class RedisStream {
  private readonly inbox: string;
  /** Bumped each time the store finds this broker unknown (it was reaped or had left). */
  private generation = 0;
  /** The generation of the last inbox read. */
  private readGeneration = 0;

  constructor(
    private readonly redis: ScriptedRedis,
    readonly brokerId: string,
    private readonly channel: string,
    private readonly run: Run,
  ) {
    this.inbox = keys.inbox(brokerId);
  }

  async registerConsumers(queue: string, consumerIds: readonly string[], ttlMs: number): Promise<void> {
    if (consumerIds.length === 0) return;
    const members = consumerIds.map((id) => keys.consumerMember(this.brokerId, id));
    await this.run(() => this.rejoined(
      this.redis.register(keys.consumers(queue), keys.brokers, String(Math.max(1, Math.ceil(ttlMs))), this.brokerId, ...members)));
  }

  async unregisterConsumers(queue: string, consumerIds: readonly string[]): Promise<void> {
    if (consumerIds.length === 0) return;
    await this.run(() => this.redis.zrem(keys.consumers(queue), ...consumerIds.map((id) => keys.consumerMember(this.brokerId, id))));
  }

  async dispatch(queue: string, count: number, read: number): Promise<DispatchResult> {
    const r = await this.run(() => this.reading(
      this.redis.dispatch(keys.pending(queue), keys.status(queue), keys.policy(queue), keys.consumers(queue),
        keys.rotation(queue), keys.brokers, keys.delayed(queue), String(Math.max(0, count)), String(Math.max(0, read)), keys.refcountSuffix,
        keys.inboxPrefix, this.brokerId, this.channel, queue, keys.metaSuffix)),
    );
    return { dispatched: Number(r[0]), inbox: r.slice(2).map((item) => parseItem(String(item))) };
  }

  async readInbox(read: number): Promise<Delivery[]> {
    if (read <= 0) return [];
    const items = await this.run(() => this.reading(this.redis.lrange(this.inbox, -read, -1)));
    return items.reverse().map(parseItem);
  }

  /** Trims the n oldest from the tail; items LPUSHed at the head meanwhile stay. */
  async ackInbox(n: number): Promise<void> {
    if (n <= 0 || this.readGeneration !== this.generation) return;
    await this.run(() => this.redis.ltrim(this.inbox, 0, -(n + 1)));
  }

  async requeue(queue: string, messages: readonly ReturnedMessage[]): Promise<void> {
    const args = messages.filter((m) => isKeyOf(queue, m.key)).flatMap((m) => [m.key, m.value, expiryArg(m), metaArg(m)]);
    if (args.length === 0) return;
    await this.run(() => this.redis.requeue(keys.pending(queue), keys.consumers(queue), keys.counter(queue),
      this.channel, queue, keys.messagePrefix(queue), keys.metaSuffix, ...args));
  }

  async heartbeat(ttlMs: number): Promise<void> {
    await this.run(() => this.rejoined(this.redis.heartbeat(keys.brokers, String(Math.max(1, Math.ceil(ttlMs))), this.brokerId)));
  }

  reap(): Promise<number> {
    return this.release('');
  }

  /** Whatever this broker did not acknowledge goes back to its queues; the broker is forgotten. */
  async leave(): Promise<void> {
    await this.release(this.brokerId);
  }

  // Both hooks run in the reply's own continuation, so in reply order (one connection): a
  // read sent before a rejoining heartbeat is recorded before the generation moves.
  private reading<T>(reply: Promise<T>): Promise<T> {
    return reply.then((r) => {
      this.readGeneration = this.generation;
      return r;
    });
  }

  private rejoined(reply: Promise<number>): Promise<void> {
    return reply.then((unknown) => {
      if (Number(unknown) === 1) this.generation++;
    });
  }

  private async release(brokerId: string): Promise<number> {
    return Number(await this.run(() => this.redis.reap(keys.brokers, keys.inboxPrefix, keys.pendingSuffix, this.channel, brokerId, keys.metaSuffix)));
  }
}
