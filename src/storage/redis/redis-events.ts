/**
 * StoreEvents over Redis pub/sub: one channel for every broker and queue (keys.events), with
 * compact payloads ("e <q>" enqueued, "s <q>" started, "c <q>" closed, "w <broker>" wake,
 * "a <receipt> <q>" settled (a receipt holds no space), "d <ms> <q>" delayed; the
 * Lua scripts publish "e" and "w" themselves), and one subscriber connection per store,
 * opened on the first subscribe and closed by close() (subscriber-events.ts). Events are hints:
 * one lost while the subscriber reconnects is covered by the distributor's safety poll.
 */
import type { Redis } from 'ioredis';
import type { StoreEvent } from '../stream-contract.js';
import { closeRedis } from './connection.js';
import { SubscriberEvents } from './subscriber-events.js';
import type { Run } from './redis-errors.js';

export function encodeEvent(e: StoreEvent): string {
  switch (e.type) {
    case 'enqueued':
      return `e ${e.queue}`;
    case 'started':
      return `s ${e.queue}`;
    case 'closed':
      return `c ${e.queue}`;
    case 'wake':
      return `w ${e.broker}`;
    case 'settled':
      return `a ${e.receipt} ${e.queue}`;
    case 'delayed':
      return `d ${e.inMs} ${e.queue}`;
  }
}

/** The event of a payload; undefined for anything else another program may publish there. */
export function decodeEvent(payload: string): StoreEvent | undefined {
  if (payload.length < 3 || payload[1] !== ' ') return undefined;
  const arg = payload.slice(2);
  switch (payload[0]) {
    case 'e':
      return { type: 'enqueued', queue: arg };
    case 's':
      return { type: 'started', queue: arg };
    case 'c':
      return { type: 'closed', queue: arg };
    case 'w':
      return { type: 'wake', broker: arg };
    case 'a': {
      const space = arg.indexOf(' ');
      return space > 0 ? { type: 'settled', receipt: arg.slice(0, space), queue: arg.slice(space + 1) } : undefined;
    }
    case 'd': {
      const m = /^(\d{1,15}) (.+)$/s.exec(arg);
      return m ? { type: 'delayed', inMs: Number(m[1]), queue: m[2]! } : undefined;
    }
    default:
      return undefined;
  }
}

export class RedisEvents extends SubscriberEvents<Redis> {
  constructor(
    private readonly redis: Redis,
    private readonly channel: string,
    run: Run,
  ) {
    super(run);
  }

  async publish(event: StoreEvent): Promise<void> {
    await this.run(() => this.redis.publish(this.channel, encodeEvent(event)));
  }

  protected async closeSubscriber(sub: Redis): Promise<void> {
    await closeRedis(sub);
  }

  protected async connect(): Promise<Redis> {
    // The main connection refuses to queue commands once connected; this one connects first.
    const sub = this.redis.duplicate({ lazyConnect: true, enableOfflineQueue: true });
    sub.on('error', () => {});
    sub.on('message', (channel: string, payload: string) => {
      if (channel !== this.channel) return;
      const event = decodeEvent(payload);
      if (event) this.deliver(event);
    });
    return this.opened(sub, () => sub.subscribe(this.channel));
  }
}
