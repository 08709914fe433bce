/**
 * Tracks which written messages may still sit in the process's own write buffer. Writes are
 * FIFO, so the last `buffered` bytes written are the ones not yet handed to the OS: when a
 * connection is dropped, the messages covering them never reached the client and can go back
 * to the queue. Counting frame bytes only (not HTTP chunk or WebSocket headers) errs towards
 * returning one message too many (a duplicate), never towards losing one.
 */
import type { Handed } from '../../core/consumer.js';

export class Unflushed {
  private entries: { h: Handed; bytes: number }[] = [];
  private total = 0;

  add(h: Handed, bytes: number): void {
    this.entries.push({ h, bytes });
    this.total += bytes;
  }

  /** Forgets the entries that are certainly out of the buffer. */
  trim(buffered: number): void {
    if (buffered <= 0) {
      this.entries = [];
      this.total = 0;
      return;
    }
    let drop = 0;
    while (drop < this.entries.length && this.total - this.entries[drop]!.bytes >= buffered) this.total -= this.entries[drop++]!.bytes;
    if (drop > 0) this.entries = this.entries.slice(drop);
  }

  /** The messages that may not have left the process, oldest first. */
  take(buffered: number): Handed[] {
    this.trim(buffered);
    return this.takeAll();
  }

  /** Every message not yet known to have left the process (as of the last trim). */
  takeAll(): Handed[] {
    const out = this.entries.map((e) => e.h);
    this.entries = [];
    this.total = 0;
    return out;
  }
}
