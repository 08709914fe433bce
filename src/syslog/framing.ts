/**
 * Splits a syslog TCP stream into messages (RFC 6587): octet counting (`<length> <message>`)
 * or non-transparent framing (one message per line, LF or CRLF), detected per frame as rsyslog
 * does (a frame that starts with a digit 1–9 and a length is octet-counted; syslog messages
 * themselves start with `<`). A message over `maxBytes` is cut to its first `maxBytes` bytes
 * (flagged truncated) and the rest of it is skipped, so a connection never holds more than
 * about `maxBytes` and never loses the frames after the oversize one.
 */
const LF = 0x0a;
const EMPTY = Buffer.alloc(0);
/** `<digits><space>`: at most 10 digits. */
const MAX_HEADER = 11;

export type FrameHandler = (frame: Buffer, truncated: boolean) => void;

export class SyslogFramer {
  private pending: Buffer = EMPTY;
  /** Bytes of an oversize octet-counted frame still to drop. */
  private skip = 0;
  /** Dropping the rest of an oversize line, up to its LF. */
  private skipLine = false;
  /** The length of the octet-counted frame being read. */
  private counted: number | undefined;

  constructor(
    private readonly maxBytes: number,
    private readonly emit: FrameHandler,
  ) {}

  push(chunk: Buffer): void {
    const data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    let i = 0;
    while (i < data.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, data.length - i);
        this.skip -= n;
        i += n;
      } else if (this.skipLine) {
        const nl = data.indexOf(LF, i);
        if (nl < 0) i = data.length;
        else {
          this.skipLine = false;
          i = nl + 1;
        }
      } else if (this.counted !== undefined) {
        const want = Math.min(this.counted, this.maxBytes);
        if (data.length - i < want) break;
        this.emit(data.subarray(i, i + want), this.counted > want);
        i += want;
        this.skip = this.counted - want;
        this.counted = undefined;
      } else {
        const header = this.header(data, i);
        if (header === 'wait') break;
        if (header !== undefined) {
          this.counted = header.length;
          i = header.next;
          continue;
        }
        const next = this.line(data, i);
        if (next < 0) break;
        i = next;
      }
    }
    // A copy: a slice would keep the whole chunk alive.
    this.pending = i >= data.length ? EMPTY : Buffer.from(data.subarray(i));
  }

  /** The end of the stream: an unterminated last line is still a message. */
  end(): void {
    if (this.counted === undefined && !this.skipLine && this.skip === 0 && this.pending.length > 0) this.emitLine(this.pending);
    this.pending = EMPTY;
  }

  /** An octet-counting header at `i`; 'wait' when too few bytes tell; undefined: not one. */
  private header(data: Buffer, i: number): { length: number; next: number } | 'wait' | undefined {
    const first = data[i]!;
    if (first < 0x31 || first > 0x39) return undefined;
    for (let j = i + 1; j < Math.min(data.length, i + MAX_HEADER); j++) {
      const c = data[j]!;
      if (c === 0x20) return { length: Number(data.toString('latin1', i, j)), next: j + 1 };
      if (c < 0x30 || c > 0x39) return undefined;
    }
    return data.length - i < MAX_HEADER ? 'wait' : undefined;
  }

  /** A line at `i`: emits it and returns the next index, or -1 to wait for its end. */
  private line(data: Buffer, i: number): number {
    const nl = data.indexOf(LF, i);
    if (nl < 0) {
      if (data.length - i <= this.maxBytes) return -1;
      this.emit(data.subarray(i, i + this.maxBytes), true);
      this.skipLine = true;
      return data.length;
    }
    this.emitLine(data.subarray(i, nl));
    return nl + 1;
  }

  private emitLine(line: Buffer): void {
    const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
    if (end === 0) return;
    if (end > this.maxBytes) this.emit(line.subarray(0, this.maxBytes), true);
    else this.emit(line.subarray(0, end), false);
  }
}
