/**
 * A stream subscription as an async iterator, over any transport: buffers what arrives,
 * pauses the transport when the reader falls behind, and reconnects with exponential backoff
 * when the connection drops (a broker restart, a network blip). The iteration ends on
 * `close()`, the abort signal, `break`, or when the queue is deleted (its streams end).
 */
import { RestMQError } from './errors.js';
import type { SubscribeOptions } from './types.js';

/** What a transport reports to its subscription. */
export interface StreamSink<T> {
  message(m: T): void;
  /** The queue was deleted: the broker ended the stream for good. */
  deleted(): void;
  /** The server asked for this reconnect delay (SSE `retry:`). */
  retry(ms: number): void;
}

/** One open connection; `closed` settles when it ends (rejects with the reason it dropped). */
export interface Connection {
  closed: Promise<void>;
  close(): void;
  pause(): void;
  resume(): void;
}

export type Connect<T> = (sink: StreamSink<T>, signal: AbortSignal, idleTimeoutMs: number) => Promise<Connection>;

const HIGH_WATER = 1000;
const LOW_WATER = 100;

/** Errors worth retrying: no reply, a timeout, 408, 429, or a 5xx (a broker shutting down). */
function retryable(err: unknown): boolean {
  if (!(err instanceof RestMQError)) return true;
  return err.status === 0 || err.status === 408 || err.status === 429 || err.status >= 500;
}

export class Subscription<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private failure: unknown;
  private done = false;
  private paused = false;
  private conn: Connection | undefined;
  private readonly abort = new AbortController();
  private serverRetryMs: number | undefined;
  /** Connections made so far (1 after the first). */
  connections = 0;

  constructor(
    private readonly connect: Connect<T>,
    private readonly options: SubscribeOptions,
  ) {
    options.signal?.addEventListener('abort', () => this.close(), { once: true });
    if (options.signal?.aborted) this.close();
    else void this.run();
  }

  private async run(): Promise<void> {
    const base = () => this.options.backoffMs ?? this.serverRetryMs ?? 500;
    const max = this.options.maxBackoffMs ?? 30_000;
    let attempt = 0;
    const sink: StreamSink<T> = {
      message: (m) => this.deliver(m),
      deleted: () => this.finish(),
      retry: (ms) => (this.serverRetryMs = ms),
    };
    while (!this.done) {
      let lost: unknown;
      try {
        this.conn = await this.connect(sink, this.abort.signal, this.options.idleTimeoutMs ?? 60_000);
        if (this.done) return this.conn.close();
        this.connections++;
        attempt = 0;
        if (this.paused) this.conn.pause();
        this.options.onConnect?.();
        await this.conn.closed;
        lost = new RestMQError('the stream ended', 0, 'CONNECTION_FAILED');
      } catch (err) {
        lost = err;
      }
      this.conn = undefined;
      if (this.done) return;
      if (this.options.reconnect === false || !retryable(lost)) return this.fail(lost);
      const delay = Math.min(max, base() * 2 ** attempt++);
      this.options.onDisconnect?.(lost, delay);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.abort.signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }

  private deliver(m: T): void {
    if (this.done) return;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      return w.resolve({ value: m, done: false });
    }
    this.buffer.push(m);
    if (!this.paused && this.buffer.length >= HIGH_WATER) {
      this.paused = true;
      this.conn?.pause();
    }
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.abort.abort();
    this.conn?.close();
    const w = this.waiting;
    this.waiting = undefined;
    if (w === undefined) return;
    if (this.failure === undefined) return w.resolve({ value: undefined, done: true });
    w.reject(this.failure);
    this.failure = undefined;
  }

  private fail(err: unknown): void {
    this.failure = err;
    this.finish();
  }

  next(): Promise<IteratorResult<T>> {
    const m = this.buffer.shift();
    if (m !== undefined) {
      if (this.paused && this.buffer.length <= LOW_WATER) {
        this.paused = false;
        this.conn?.resume();
      }
      return Promise.resolve({ value: m, done: false });
    }
    if (this.failure !== undefined) {
      const err = this.failure;
      this.failure = undefined;
      return Promise.reject(err);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Called by `break` in a for-await loop. */
  return(): Promise<IteratorResult<T>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Stops receiving; messages already buffered are dropped (on a leased stream they come back when their lease ends). */
  close(): void {
    this.buffer.length = 0;
    this.finish();
  }
}
