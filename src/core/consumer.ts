/**
 * A streaming consumer: one COMET/SSE/WebSocket connection of one queue, with a bounded
 * buffer. Messages handed to it in one tick are coalesced into one write; while the transport
 * is saturated they wait here. The distributor only dispatches to consumers with room, so a
 * consumer that reads slowly sets the pace; one that stays saturated too long (stalled) or
 * whose buffer passes the limit is cut off, and its unwritten messages are handed back so
 * they can return to the queue.
 */
import { randomUUID } from 'node:crypto';
import type { Message } from '../wire.js';
import type { Holdings } from './lease-streams.js';

export type Transport = 'comet' | 'sse' | 'ws';
export type EndReason = 'deleted' | 'shutdown' | 'overflow' | 'client' | 'error';

/**
 * The copies of one inbox item handed to this broker's consumers. When every local copy
 * failed to be written and no other broker got one (`copies` 1), the message goes back.
 */
export interface Copies {
  /** Local consumers it was handed to. */
  total: number;
  /** Of which ended without writing it. */
  failed: number;
  /** Brokers that received the item (1 for roundrobin). */
  copies: number;
}

/** A message for one consumer. */
export interface Handed {
  message: Message;
  queue: string;
  copiesOf: Copies;
}

/** What a transport gives the core: framing and writing are the transport's business. */
export interface ConsumerSink {
  /** Writes messages in order; false when the transport's buffer is full. */
  write(batch: readonly Handed[]): boolean;
  /** Calls `listener` once, when the transport can take more after a false write. */
  onDrain(listener: () => void): void;
  heartbeat(): void;
  /**
   * Ends the stream (`deleted`: write the last `null` frame first). Idempotent. When the
   * connection is dropped (overflow, error, client gone) it returns the messages it had
   * accepted but not yet handed to the operating system: they never reached the client.
   */
  end(reason: EndReason): Handed[];
}

/** A connected streaming consumer as the dashboard lists it. */
export type ConsumerInfo = {
  id: string;
  queue: string;
  transport: Transport;
  remote: string;
  /** Connected since (ms since epoch). */
  since: number;
  /** At-least-once (`?lease=`) rather than fan-out. */
  leased: boolean;
  /** Messages handed to its connection so far. */
  delivered: number;
  /** Leased: the most unacknowledged messages it may hold, and how many it holds now. */
  prefetch?: number;
  unacked?: number;
};

export interface ConsumerLimits {
  /** Messages that may wait while the transport is saturated. */
  maxPending: number;
  /** Bytes of values that may wait while the transport is saturated. */
  maxPendingBytes: number;
}

export class Consumer {
  readonly id = randomUUID();
  /** When it connected (ms since epoch), and the client's address: shown on the dashboard. */
  readonly since = Date.now();
  remote = '';
  lastWrite = Date.now();
  closed = false;
  private pending: Handed[] = [];
  private pendingBytes = 0;
  private saturated = false;
  /** When the transport last became saturated (for the stall timeout). */
  private saturatedSince = 0;
  private flushQueued = false;
  private delivered = 0;

  constructor(
    readonly queue: string,
    readonly transport: Transport,
    private readonly sink: ConsumerSink,
    private readonly limits: ConsumerLimits,
    /** Called once when the consumer overflows, with what it could not write. */
    private readonly onOverflow: (consumer: Consumer, unwritten: Handed[]) => void,
    /** Called when a saturated transport drained and the consumer can take more. */
    private readonly onRoom: (consumer: Consumer) => void = () => {},
    /** Leased (`?lease=`): the receipts it holds, capped by its prefetch. */
    readonly holdings?: Holdings,
  ) {}

  /** True while the transport takes writes and, leased, it holds fewer than its prefetch. */
  get hasRoom(): boolean {
    return !this.closed && !this.saturated && (this.holdings === undefined || this.holdings.room > 0);
  }

  get info(): ConsumerInfo {
    const h = this.holdings;
    return { id: this.id, queue: this.queue, transport: this.transport, remote: this.remote, since: this.since, leased: h !== undefined, delivered: this.delivered, ...(h ? { prefetch: h.prefetch, unacked: h.size } : {}) };
  }

  /** Saturated for longer than `stallMs`: the client stopped reading. */
  stalled(now: number, stallMs: number): boolean {
    return !this.closed && this.saturated && now - this.saturatedSince >= stallMs;
  }

  deliver(h: Handed): void {
    if (this.closed) return;
    this.pending.push(h);
    this.pendingBytes += h.message.value.length;
    if (this.saturated && (this.pending.length > this.limits.maxPending || this.pendingBytes > this.limits.maxPendingBytes)) {
      this.onOverflow(this, this.close('overflow'));
      return;
    }
    if (!this.flushQueued && !this.saturated) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  heartbeat(now: number, idleMs: number): void {
    if (!this.closed && now - this.lastWrite >= idleMs) {
      this.lastWrite = now;
      this.sink.heartbeat();
    }
  }

  /** Forgets the consumer without touching its transport (it never started streaming). */
  abandon(): void {
    this.closed = true;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Ends the stream; returns the messages that never left this process, oldest first. */
  close(reason: EndReason): Handed[] {
    if (this.closed) return [];
    this.closed = true;
    const unwritten = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    return [...this.sink.end(reason), ...unwritten];
  }

  private flush(): void {
    this.flushQueued = false;
    if (this.closed || this.saturated || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.lastWrite = Date.now();
    this.delivered += batch.length;
    if (!this.sink.write(batch)) {
      this.saturated = true;
      this.saturatedSince = Date.now();
      this.sink.onDrain(() => {
        this.saturated = false;
        this.flush();
        if (this.hasRoom) this.onRoom(this);
      });
    }
  }
}
