/**
 * Stream framing, pure: how one message, a heartbeat and the end of a stream look on each
 * transport. COMET keeps the original's framing exactly: one `{"key", "value"}` JSON per
 * CRLF-terminated line and HTTP chunk (JSONP `cb(...);` per line), a last `null` line when the queue is
 * deleted. SSE: `id:` = key, `data:` = the same envelope. WebSocket: one text frame each.
 */
import type { LeasedMessage, Message } from '../../wire.js';
import { str } from '../json-text.js';

export type StreamFormat = 'comet' | 'sse' | 'ws';

/** The envelope streams carry (no `count`, as the original's COMET); leased: with its receipt. */
export function envelope(m: Message | LeasedMessage): string {
  const base = `{"key": ${str(m.key)}, "value": ${str(m.value)}`;
  return 'receipt' in m ? `${base}, "receipt": ${str(m.receipt)}, "attempts": ${m.attempts}}` : base + '}';
}

export function cometLine(m: Message, callback?: string): string {
  return callback === undefined ? envelope(m) + '\r\n' : `${callback}(${envelope(m)});\r\n`;
}

/** SSE data lines cannot hold CR or LF; the envelope is JSON, where they are always escaped. */
export function sseEvent(m: Message): string {
  return `id: ${m.key}\ndata: ${envelope(m)}\n\n`;
}

export function frame(format: StreamFormat, m: Message, callback?: string): string {
  switch (format) {
    case 'comet':
      return cometLine(m, callback);
    case 'sse':
      return sseEvent(m);
    case 'ws':
      return envelope(m);
  }
}

/** Written at once so that headers and a first byte reach the client before any message. */
export const SSE_PREAMBLE = ': restmq\nretry: 2000\n\n';

/** Heartbeats on idle streams: SSE comments are ignored; COMET's empty line only with --comet-heartbeat
 *  (the original sent none, and its clients take every chunk for a message). */
export const HEARTBEAT = { comet: '\r\n', sse: ': ping\n\n' } as const;

/** The last frame when the queue is deleted: the original's `null` line. */
export function endFrame(format: StreamFormat, callback?: string): string {
  switch (format) {
    case 'comet':
      return callback === undefined ? 'null\r\n' : `${callback}(null);\r\n`;
    case 'sse':
      return 'event: end\ndata: null\n\n';
    case 'ws':
      return 'null';
  }
}

/** Parses an SSE stream incrementally (used by tests and the SDK): returns complete events. */
export function parseSse(buffer: string): { events: { id?: string; event?: string; data: string }[]; rest: string } {
  const events: { id?: string; event?: string; data: string }[] = [];
  // A CR at the very end may be the first half of a CRLF cut by the chunking: keep it for the next call.
  const held = buffer.endsWith('\r') ? '\r' : '';
  const normalized = (held === '' ? buffer : buffer.slice(0, -1)).replace(/\r\n?/g, '\n');
  const blocks = normalized.split('\n\n');
  const rest = (blocks.pop() ?? '') + held;
  for (const block of blocks) {
    const data: string[] = [];
    let id: string | undefined;
    let event: string | undefined;
    for (const line of block.split('\n')) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const name = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (name === 'data') data.push(value);
      else if (name === 'id') id = value;
      else if (name === 'event') event = value;
    }
    if (data.length > 0) events.push({ ...(id !== undefined ? { id } : {}), ...(event !== undefined ? { event } : {}), data: data.join('\n') });
  }
  return { events, rest };
}
