/**
 * An incremental Server-Sent Events parser (the WHATWG rules the SDK needs: `data`, `event`,
 * `id`, `retry`, comments; LF, CRLF or CR line ends, split anywhere across chunks).
 * Node 20 has no EventSource, and an EventSource could not send auth headers anyway.
 */
export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export class SseParser {
  private partial = '';
  private skipLf = false;
  private data: string[] = [];
  private event = '';
  private id: string | undefined;
  /** The last `retry:` the server sent, in milliseconds. */
  retryMs: number | undefined;

  /** Feeds a chunk of text; returns the events it completed. */
  push(chunk: string): SseEvent[] {
    const events: SseEvent[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (c === 10 && this.skipLf && i === start && this.partial === '') {
        // The LF of a CRLF whose CR ended the previous chunk.
        this.skipLf = false;
        start = i + 1;
        continue;
      }
      this.skipLf = false;
      if (c !== 10 && c !== 13) continue;
      const line = this.partial + chunk.slice(start, i);
      this.partial = '';
      if (c === 13) {
        if (chunk.charCodeAt(i + 1) === 10) i++;
        else if (i + 1 === chunk.length) this.skipLf = true;
      }
      start = i + 1;
      const done = this.line(line);
      if (done) events.push(done);
    }
    this.partial += chunk.slice(start);
    return events;
  }

  private line(line: string): SseEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (name === 'data') this.data.push(value);
    else if (name === 'event') this.event = value;
    else if (name === 'id' && !value.includes('\0')) this.id = value;
    else if (name === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    return undefined;
  }

  private dispatch(): SseEvent | undefined {
    const ev = this.data.length > 0 ? { event: this.event || 'message', data: this.data.join('\n'), ...(this.id !== undefined ? { id: this.id } : {}) } : undefined;
    this.data = [];
    this.event = '';
    return ev;
  }
}
