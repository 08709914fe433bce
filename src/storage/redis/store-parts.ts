/**
 * The contract methods both Redis stores (redis-store.ts, cluster-store.ts) hand as they are to
 * their parts: the stream side, events, long-poll counts, leases and API keys. Each store builds
 * the parts of its own layout; what differs between the two stays in the store.
 */
import type { StoredAuthKey } from '../authkey-contract.js';
import type { LeaseResult, LeaseStore, QueueSettings, ReceiptOutcome } from '../lease-contract.js';
import type { Delivery, DispatchResult, ReturnedMessage, StoreEvent, StreamStore } from '../stream-contract.js';
import type { RedisPolls } from './redis-polls.js';

/** The stream side (redis-stream.ts, cluster-stream.ts) and the events (redis-events.ts, cluster-events.ts). */
type StreamPart = Pick<StreamStore, 'registerConsumers' | 'unregisterConsumers' | 'dispatch' | 'readInbox' | 'ackInbox' | 'requeue'
  | 'heartbeat' | 'reap' | 'leave'>;
type EventsPart = Pick<StreamStore, 'publish' | 'subscribe'>;
/** The lease side (redis-lease.ts, cluster-lease.ts). */
type LeasePart = Pick<LeaseStore, 'lease' | 'ack' | 'nack' | 'extend' | 'reapLeases' | 'getSettings' | 'setSettings' | 'redrive'>;
/** API keys (redis-authkeys.ts, cluster-authkeys.ts). */
interface AuthKeysPart {
  put(hash: string, record: string): Promise<void>;
  get(hash: string): Promise<string | null>;
  list(): Promise<StoredAuthKey[]>;
  delete(hash: string): Promise<boolean>;
}

export abstract class StoreParts {
  protected abstract readonly stream: StreamPart;
  protected abstract readonly events: EventsPart;
  protected abstract readonly polls: RedisPolls;
  protected abstract readonly leases: LeasePart;
  protected abstract readonly authkeys: AuthKeysPart;

  reportPolls(waiting: ReadonlyMap<string, number>, ttlMs: number): Promise<void> {
    return this.polls.report(waiting, ttlMs);
  }

  pollsWaiting(queues: readonly string[]): Promise<number[]> {
    return this.polls.waiting(queues);
  }

  // StreamStore (stream-contract.ts), in the stream side and the events.
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


  heartbeat(ttlMs: number): Promise<void> {
    return this.stream.heartbeat(ttlMs);
  }

  reap(): Promise<number> {
    return this.stream.reap();
  }

  leave(): Promise<void> {
    return this.stream.leave();
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

  // LeaseStore (lease-contract.ts).
  lease(queue: string, count: number, leaseMs: number): Promise<LeaseResult> {
    return this.leases.lease(queue, count, leaseMs);
  }

  ack(queue: string, receipt: string): Promise<ReceiptOutcome> {
    return this.leases.ack(queue, receipt);
  }

  nack(queue: string, receipt: string, delayMs: number): Promise<ReceiptOutcome> {
    return this.leases.nack(queue, receipt, delayMs);
  }

  extend(queue: string, receipt: string, leaseMs: number): Promise<ReceiptOutcome> {
    return this.leases.extend(queue, receipt, leaseMs);
  }

  reapLeases(queues?: readonly string[]): Promise<{ returned: number; dead: number }> {
    return this.leases.reapLeases(queues);
  }

  getSettings(queue: string): Promise<QueueSettings> {
    return this.leases.getSettings(queue);
  }

  setSettings(queue: string, settings: QueueSettings): Promise<void> {
    return this.leases.setSettings(queue, settings);
  }

  redrive(deadQueue: string, destination?: string): Promise<number> {
    return this.leases.redrive(deadQueue, destination);
  }

  publish(event: StoreEvent): Promise<void> {
    return this.events.publish(event);
  }

  subscribe(listener: (event: StoreEvent) => void): Promise<() => Promise<void>> {
    return this.events.subscribe(listener);
  }
}
