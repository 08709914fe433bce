/**
 * Tracks which written messages may still sit in the process's own write buffer. Writes are
 * FIFO, so the last `buffered` bytes written are the ones not yet handed to the OS: when a
 * connection is dropped, the messages covering them never reached the client and can go back
 * to the queue. Each entry counts the bytes its message puts on the socket, framing overhead
 * (HTTP chunk, WebSocket frame header) included, so the count matches the socket's; a
 * message cut in the middle goes back (the client cannot read half a frame).
 */
import type { Socket } from 'node:net';
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

/** The libuv handle under a socket: `writeQueueSize` reads libuv's count of the bytes of the
 *  write in flight it has not yet handed to the kernel (live, not a snapshot). */
type WithInternals = Socket & {
  _handle?: { writeQueueSize?: unknown } | null;
  /** Chunks not yet given to libuv (behind the write in flight, or corked). */
  writableBuffer?: { chunk: Buffer | string; encoding: BufferEncoding }[];
};

/**
 * Bytes written to `socket` that have not reached the OS. `writableLength` counts a write in
 * flight whole until libuv finishes it, and a batch of frames leaves as one such write: most
 * of it may already be in the kernel (on its way to the client) while the rest waits for the
 * client to read. Counting it whole would send those messages again after a cut-off; libuv's
 * own count tells the part still here. Without a handle: `writableLength` (errs towards a
 * duplicate, never a loss).
 */
export function unsentBytes(socket: Socket | null | undefined): number {
  if (!socket) return 0;
  const length = socket.writableLength;
  const s = socket as WithInternals;
  const queued = s._handle?.writeQueueSize;
  if (length === 0 || typeof queued !== 'number') return length;
  let waiting = 0;
  for (const b of s.writableBuffer ?? []) waiting += typeof b.chunk === 'string' ? Buffer.byteLength(b.chunk, b.encoding) : b.chunk.length;
  return waiting + Math.min(length - waiting, queued);
}

/** What HTTP chunked encoding adds around `n` bytes written at once: `<hex n>\r\n` and `\r\n`. */
export const chunkOverhead = (n: number): number => n.toString(16).length + 4;
