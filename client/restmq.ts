/**
 * `RestMQ`: the broker's REST routes and JSON protocol as typed methods, and streams as async
 * iterators. Every method is one request (`pushMany` one per 1,000 values).
 */
import { RestMQError } from './errors.js';
import { HttpClient, parseJson } from './http.js';
import { sseConnect } from './subscribe-sse.js';
import { wsConnect, type WsCommands } from './subscribe-ws.js';
import { Subscription } from './subscription.js';
import type {
  AllStats, ClientOptions, Envelope, LeasedDelivery, LeasedEnvelope, Peeked, PeekedMessage, Policy, PolicyUpdate, PopOptions, PushOptions,
  QueuePolicy, QueueStats, QueueStatus, StreamMessage, SubscribeOptions,
} from './types.js';

/** The broker's batch limit (`POST /q/<q>?batch=1`). */
export const MAX_BATCH = 1000;

const q = (queue: string) => `/q/${encodeURIComponent(queue)}`;

export class RestMQ {
  readonly http: HttpClient;

  constructor(options: ClientOptions) {
    this.http = new HttpClient(options);
  }

  /** Enqueues one message (stored byte for byte); resolves with its key, `<queue>:<n>`. */
  async push(queue: string, value: string, options: PushOptions = {}): Promise<string> {
    const r = await this.http.request('POST', q(queue), { text: value, query: { ...options } });
    return r.text.replace(/\r\n$/, '');
  }

  /** Enqueues many messages in order, in batches of 1,000; resolves with their keys. */
  async pushMany(queue: string, values: readonly string[], options: Omit<PushOptions, 'dedup'> = {}): Promise<string[]> {
    const keys: string[] = [];
    for (let i = 0; i < values.length; i += MAX_BATCH) {
      keys.push(...(await this.http.json<string[]>('POST', q(queue), { json: values.slice(i, i + MAX_BATCH), query: { batch: 1, ...options } })));
    }
    return keys;
  }

  /** Takes up to `count` (1-100) messages. */
  pop(queue: string, options: PopOptions & { count: number }): Promise<Envelope[]>;
  /** Takes (removes) the oldest message; null when the queue is empty or stopped. */
  pop(queue: string, options?: PopOptions): Promise<Envelope | null>;
  async pop(queue: string, options: PopOptions & { count?: number } = {}): Promise<Envelope | Envelope[] | null> {
    return this.take<Envelope>(queue, { wait: options.wait, count: options.count });
  }

  /** Leases up to `count` (1-100) messages, each with its own receipt. */
  lease(queue: string, seconds: number, options: PopOptions & { count: number }): Promise<LeasedEnvelope[]>;
  /** Leases the oldest message for `seconds`: it stays invisible until acked, nacked or the lease ends. */
  lease(queue: string, seconds: number, options?: PopOptions): Promise<LeasedEnvelope | null>;
  async lease(queue: string, seconds: number, options: PopOptions & { count?: number } = {}): Promise<LeasedEnvelope | LeasedEnvelope[] | null> {
    return this.take<LeasedEnvelope>(queue, { lease: seconds, wait: options.wait, count: options.count });
  }

  private async take<T>(queue: string, query: { lease?: number; wait?: number | undefined; count?: number | undefined }): Promise<T | T[] | null> {
    const r = await this.http.request('GET', q(queue), { query, extraTimeoutMs: (query.wait ?? 0) * 1000 });
    if (r.status === 204) return query.count === undefined ? null : [];
    return parseJson<T | T[]>(r.text, `GET ${q(queue)}`);
  }

  /** Acknowledges a leased message: removed for good. A stale receipt throws 409 STALE_RECEIPT. */
  async ack(queue: string, receipt: string): Promise<void> {
    await this.http.request('DELETE', `${q(queue)}/${encodeURIComponent(receipt)}`);
  }

  /** Returns a leased message to the queue now, or after `delay` seconds. */
  async nack(queue: string, receipt: string, options: { delay?: number } = {}): Promise<void> {
    await this.http.request('POST', `${q(queue)}/${encodeURIComponent(receipt)}/nack`, { query: { delay: options.delay } });
  }

  /** Prolongs a lease to `seconds` from now. */
  async extend(queue: string, receipt: string, seconds: number): Promise<void> {
    await this.http.request('POST', `${q(queue)}/${encodeURIComponent(receipt)}/extend`, { query: { lease: seconds } });
  }

  /** Moves a dead-letter queue's messages back to where they died; resolves with how many. */
  async redrive(queue: string): Promise<number> {
    return (await this.http.json<{ redriven: number }>('POST', `${q(queue)}/redrive`)).redriven;
  }

  /**
   * Removes the queue entirely: its messages in every state, its settings and its name. A
   * queue the broker does not know throws 404.
   */
  async deleteQueue(queue: string): Promise<void> {
    await this.http.request('DELETE', `/queues/${encodeURIComponent(queue)}`);
  }

  /** Every queue's name, sorted. */
  async queues(): Promise<string[]> {
    return Object.keys(await this.stats()).sort();
  }

  /**
   * The oldest `count` (1-100, default 20) ready messages, left in place: not taken, not
   * hidden, not counted as read. Values over 4,096 characters come cut (`truncated`).
   */
  async peek(queue: string, options: { count?: number } = {}): Promise<PeekedMessage[]> {
    const path = `/dashboard/api/queues/${encodeURIComponent(queue)}/peek`;
    return (await this.http.json<{ messages: PeekedMessage[] }>('GET', path, { query: { count: options.count } })).messages;
  }

  /** Deletes the queue's pending messages; resolves with whether there were any. */
  async purge(queue: string): Promise<boolean> {
    return (await this.http.json<{ status: 0 | 1 }>('DELETE', q(queue))).status === 1;
  }

  /** The oldest message without removing it (the JSON `get`); null when empty. */
  async get(queue: string): Promise<Peeked | null> {
    const r = await this.command<Peeked | { error: string }>({ cmd: 'get', queue }, ['empty queue']);
    return 'error' in r ? null : r;
  }

  /** One queue's stats. */
  stats(queue: string): Promise<QueueStats>;
  /** Every queue's stats, by name. */
  stats(): Promise<AllStats>;
  async stats(queue?: string): Promise<QueueStats | AllStats> {
    if (queue !== undefined) {
      const { redis: _store, ...s } = await this.http.json<QueueStats & { redis: string }>('GET', `/stats/${encodeURIComponent(queue)}`);
      return s;
    }
    return (await this.http.json<{ queues: AllStats }>('GET', '/stats/')).queues;
  }

  /** Reads the queue's policy and settings, after applying `update` if given. */
  async policy(queue: string, update?: Policy | PolicyUpdate): Promise<QueuePolicy> {
    const path = `/p/${encodeURIComponent(queue)}`;
    if (update !== undefined) {
      const u = typeof update === 'string' ? { policy: update } : update;
      const r = await this.http.request('POST', path, { form: { policy: u.policy, lease: u.lease, max_attempts: u.maxAttempts, dead_letter: u.deadLetter } });
      // The broker answers 200 `null` to an unknown policy, as the original did.
      if (r.text.startsWith('null')) throw new RestMQError(`unknown policy: ${String(u.policy)}`, 200, 'COMMAND_FAILED');
    }
    const p = await this.http.json<{ queue: string; value: Policy; lease?: number; max_attempts?: number; dead_letter?: string }>('GET', path);
    return {
      queue: p.queue,
      policy: p.value,
      ...(p.lease != null ? { lease: p.lease } : {}),
      ...(p.max_attempts != null ? { maxAttempts: p.max_attempts } : {}),
      ...(p.dead_letter != null ? { deadLetter: p.dead_letter } : {}),
    };
  }

  /** Flow control: reads the queue's status, after starting or stopping it if asked. */
  async control(queue: string, action?: 'start' | 'stop'): Promise<QueueStatus> {
    const r = await this.command<{ status: 0 | 1 }>({ cmd: 'status', queue, ...(action ? { status: action } : {}) });
    return r.status === 1 ? 'started' : 'stopped';
  }

  /**
   * Runs a JSON-protocol command (`POST /queue`). The protocol answers field errors in-band
   * with status 200 and `{"error"}`: those throw COMMAND_FAILED unless listed in `allowed`.
   */
  async command<T = Record<string, unknown>>(cmd: Record<string, unknown>, allowed: readonly string[] = []): Promise<T> {
    const r = await this.http.json<T & { error?: unknown }>('POST', '/queue', { json: cmd });
    if (typeof r.error === 'string' && !allowed.includes(r.error)) throw new RestMQError(r.error, 200, 'COMMAND_FAILED');
    return r;
  }

  /**
   * Streams a queue's messages as an async iterator, reconnecting when the connection drops.
   * With `lease`, each message is leased to this consumer and must be acked (or nacked);
   * what is not acked within the lease is delivered again.
   */
  subscribe(queue: string, options: SubscribeOptions & { lease: number }): Subscription<LeasedDelivery>;
  subscribe(queue: string, options?: SubscribeOptions): Subscription<StreamMessage>;
  subscribe(queue: string, options: SubscribeOptions = {}): Subscription<StreamMessage> | Subscription<LeasedDelivery> {
    const lease = options.lease;
    const leasing = { lease, prefetch: lease === undefined ? undefined : options.prefetch };
    if ((options.transport ?? 'sse') === 'ws') {
      return new Subscription(wsConnect(this.http, queue, leasing, (m, commands) => (lease === undefined ? m : this.delivery(queue, m, commands))), options);
    }
    return new Subscription(sseConnect(this.http, queue, leasing, (m) => (lease === undefined ? m : this.delivery(queue, m))), options);
  }

  /** A leased stream message with ack/nack: over the message's WebSocket while it is open, else over HTTP. */
  private delivery(queue: string, m: StreamMessage, commands?: WsCommands): LeasedDelivery {
    const receipt = m.receipt;
    // A broadcast queue's copy: it left the queue when dispatched, nothing to acknowledge.
    if (receipt === undefined) return { key: m.key, value: m.value, receipt: '', attempts: 1, ack: async () => {}, nack: async () => {} };
    const viaSocket = async (cmd: Record<string, unknown>, http: () => Promise<void>) => {
      if (commands?.open) {
        try {
          await commands.run(cmd);
          return;
        } catch (err) {
          // The socket went away with the command in flight: say it again over HTTP (a
          // STALE_RECEIPT then may mean the first attempt did land).
          if (!(err instanceof RestMQError) || err.status !== 0) throw err;
        }
      }
      await http();
    };
    return {
      key: m.key,
      value: m.value,
      receipt,
      attempts: m.attempts ?? 1,
      ack: () => viaSocket({ cmd: 'ack', queue, receipt }, () => this.ack(queue, receipt)),
      nack: (delay?: number) => viaSocket({ cmd: 'nack', queue, receipt, ...(delay !== undefined ? { delay } : {}) }, () => this.nack(queue, receipt, { delay })),
    };
  }
}
