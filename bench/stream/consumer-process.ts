/**
 * A consumer process of the stream bench (`node --import tsx bench/stream/consumer-process.ts`, run by
 * bench/stream/consumer-pool.ts with an IPC channel). It holds many COMET, SSE or WebSocket connections
 * and keeps almost nothing per message: it counts deliveries per connection and samples the
 * delivery lag from the send time the producer put at the front of each value.
 *
 * Lean on purpose (with 1,000 connections the clients are a heavy load on 2 cores):
 * - raw TCP sockets, no HTTP client: the request is written by hand and the response bytes are
 *   scanned directly (the chunked-encoding size lines and SSE fields are never parsed);
 * - COMET and SSE: a message is one `{` byte (the envelope `{"key": ..., "value": ...}` has
 *   exactly one, and nothing else the broker sends has any: preamble, heartbeats, chunk sizes);
 * - WebSocket: a minimal frame walker (server frames are unmasked), a text frame whose payload
 *   starts with `{` is one message; pings get a pong.
 * Values look like `<send time, µs of CLOCK_MONOTONIC>|<seq>|<padding>`; the lag is the arrival
 * time of the socket read that holds the message minus the send time (same clock in every
 * process). In `notify` mode (the one-at-a-time latency runs) every message is also reported
 * to the parent with its key and seq.
 */
import net from 'node:net';
import { LogHistogram, monoUs, type HistogramData } from '../histogram.js';

export type StreamTransport = 'comet' | 'sse' | 'ws';

export type WorkerCommand =
  | { cmd: 'open'; id: number; url: string; path: string; transport: StreamTransport; count: number; sampleEvery: number; notify: boolean }
  | { cmd: 'reset'; id: number }
  | { cmd: 'stats'; id: number }
  | { cmd: 'watch'; id: number; on: boolean }
  | { cmd: 'close'; id: number };

export interface WorkerStats {
  connections: number;
  /** Connections that ended (closed by the server or an error) since they were opened. */
  ended: number;
  total: number;
  minPerConnection: number;
  maxPerConnection: number;
  /** CLOCK_MONOTONIC µs of the first and last read holding a message since the last reset. */
  firstUs: number;
  lastUs: number;
  lag: HistogramData;
  errors: string[];
}

export type WorkerEvent =
  | { type: 'reply'; id: number; ok: true; stats?: WorkerStats }
  | { type: 'reply'; id: number; ok: false; error: string }
  /** Smallest per-connection count since the last reset (sent when it changes, while watching). */
  | { type: 'progress'; min: number; total: number }
  | { type: 'arrival'; key: string; seq: number; lagUs: number };

interface Conn {
  socket: net.Socket;
  count: number;
  ended: boolean;
  /** WebSocket frame walker state. */
  skip: number;
  partial: Buffer | undefined;
  checkFirst: boolean;
}

const OPEN_BRACE = 0x7b;
const VALUE_MARK = Buffer.from('"value": "');
const KEY_OFFSET = '{"key": "'.length;

let conns: Conn[] = [];
let transport: StreamTransport = 'sse';
let sampleEvery = 1;
let notify = false;
let watching = false;
let progressQueued = false;
let lastMin = -1;
let total = 0;
let ended = 0;
let firstUs = 0;
let lastUs = 0;
let sampleTick = 0;
const lag = new LogHistogram();
const errors: string[] = [];

function send(e: WorkerEvent): void {
  process.send?.(e);
}

function note(err: string): void {
  if (errors.length < 20) errors.push(err);
}

/** Parses `<digits>` at `p` up to `stop`; -1 when the buffer ends first or a non-digit comes. */
function digitsAt(buf: Buffer, p: number, stop: number): { value: number; end: number } | undefined {
  let v = 0;
  let i = p;
  for (; i < buf.length; i++) {
    const b = buf[i]!;
    if (b === stop) return i > p ? { value: v, end: i } : undefined;
    if (b < 0x30 || b > 0x39) return undefined;
    v = v * 10 + (b - 0x30);
  }
  return undefined;
}

/** The envelope starting at `brace` (a `{`): its lag sample, and in notify mode its key/seq. */
function sample(buf: Buffer, brace: number, now: number): void {
  const v = buf.indexOf(VALUE_MARK, brace);
  if (v < 0) return; // split across reads: skip this sample
  const ts = digitsAt(buf, v + VALUE_MARK.length, 0x7c);
  if (!ts) return;
  const lagUs = now - ts.value;
  lag.record(lagUs);
  if (notify) {
    const seq = digitsAt(buf, ts.end + 1, 0x7c);
    const keyEnd = buf.indexOf(0x22, brace + KEY_OFFSET);
    send({ type: 'arrival', key: buf.toString('latin1', brace + KEY_OFFSET, keyEnd), seq: seq?.value ?? -1, lagUs });
  }
}

function counted(c: Conn, n: number, now: number): void {
  c.count += n;
  total += n;
  if (firstUs === 0) firstUs = now;
  lastUs = now;
  if (watching && !progressQueued) {
    progressQueued = true;
    setImmediate(reportProgress);
  }
}

function reportProgress(): void {
  progressQueued = false;
  let min = Infinity;
  for (const c of conns) if (c.count < min) min = c.count;
  if (min !== lastMin) {
    lastMin = min;
    send({ type: 'progress', min, total });
  }
}

/** COMET / SSE bytes after the response head. */
function onHttpData(c: Conn, buf: Buffer, now: number): void {
  let n = 0;
  for (let i = buf.indexOf(OPEN_BRACE); i >= 0; i = buf.indexOf(OPEN_BRACE, i + 1)) {
    n++;
    if (notify || ++sampleTick >= sampleEvery) {
      sampleTick = 0;
      sample(buf, i, now);
    }
  }
  if (n > 0) counted(c, n, now);
}

/** WebSocket bytes after the 101 head: walks the frames, counting text frames that start with `{`. */
function onWsData(c: Conn, chunk: Buffer, now: number): void {
  let buf = chunk;
  let p = 0;
  let n = 0;
  if (c.checkFirst && buf.length > 0) {
    c.checkFirst = false;
    if (buf[0] === OPEN_BRACE) n++;
  }
  while (p < buf.length) {
    if (c.skip > 0) {
      const k = Math.min(c.skip, buf.length - p);
      p += k;
      c.skip -= k;
      continue;
    }
    if (c.partial) {
      buf = Buffer.concat([c.partial, buf.subarray(p)]);
      p = 0;
      c.partial = undefined;
    }
    const left = buf.length - p;
    if (left < 2) {
      c.partial = Buffer.from(buf.subarray(p));
      break;
    }
    const b0 = buf[p]!;
    const b1 = buf[p + 1]!;
    let len = b1 & 0x7f;
    let head = 2;
    if (len === 126) {
      if (left < 4) {
        c.partial = Buffer.from(buf.subarray(p));
        break;
      }
      len = buf.readUInt16BE(p + 2);
      head = 4;
    } else if (len === 127) {
      if (left < 10) {
        c.partial = Buffer.from(buf.subarray(p));
        break;
      }
      len = Number(buf.readBigUInt64BE(p + 2));
      head = 10;
    }
    if (b1 & 0x80) head += 4; // masked (servers do not mask; be safe)
    if (left < head) {
      c.partial = Buffer.from(buf.subarray(p));
      break;
    }
    const op = b0 & 0x0f;
    p += head;
    if (op === 0x9) c.socket.write(Buffer.from([0x8a, 0x80, 0, 0, 0, 0])); // pong, empty, zero mask
    if (op === 0x1 && len > 0) {
      if (p < buf.length) {
        if (buf[p] === OPEN_BRACE) {
          n++;
          if ((notify || ++sampleTick >= sampleEvery) && p + len <= buf.length) {
            sampleTick = 0;
            sample(buf, p, now);
          }
        }
      } else c.checkFirst = true;
    }
    const k = Math.min(len, buf.length - p);
    p += k;
    c.skip = len - k;
  }
  if (n > 0) counted(c, n, now);
}

function request(url: URL, path: string, t: StreamTransport): string {
  const host = `Host: ${url.host}\r\n`;
  if (t === 'ws') {
    return `GET ${path} HTTP/1.1\r\n${host}Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: cmVzdG1xLWJlbmNoLWtleQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  }
  return `GET ${path} HTTP/1.1\r\n${host}Accept: ${t === 'sse' ? 'text/event-stream' : '*/*'}\r\n\r\n`;
}

/** Opens one connection; resolves once the response head (200, or 101 for WebSocket) arrived. */
function openOne(url: URL, path: string, t: StreamTransport): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port) });
    socket.setNoDelay(true);
    const c: Conn = { socket, count: 0, ended: false, skip: 0, partial: undefined, checkFirst: false };
    let head: Buffer | undefined = Buffer.alloc(0);
    const fail = (err: Error) => {
      if (head !== undefined) {
        head = undefined;
        socket.destroy();
        reject(err);
      }
    };
    socket.setTimeout(15_000, () => fail(new Error(`no response head from ${path} in 15 s`)));
    socket.once('error', (err) => {
      fail(err);
      note(`${path}: ${err.message}`);
    });
    socket.once('close', () => {
      if (head !== undefined) return fail(new Error(`${path}: connection closed before the response head`));
      if (!c.ended) {
        c.ended = true;
        ended++;
      }
    });
    socket.on('data', (chunk: Buffer) => {
      const now = monoUs();
      if (head === undefined) {
        if (t === 'ws') onWsData(c, chunk, now);
        else onHttpData(c, chunk, now);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > 16_384) fail(new Error(`${path}: response head too long`));
        return;
      }
      const status = head.toString('latin1', 0, Math.min(head.length, 12));
      const want = t === 'ws' ? ' 101' : ' 200';
      if (!status.startsWith('HTTP/1.1') || status.slice(8, 12) !== want) return fail(new Error(`${path}: ${head.toString('latin1', 0, end).split('\r\n')[0]}`));
      const rest = head.subarray(end + 4);
      head = undefined;
      socket.setTimeout(0);
      resolve(c);
      if (rest.length > 0) {
        if (t === 'ws') onWsData(c, rest, now);
        else onHttpData(c, rest, now);
      }
    });
    socket.write(request(url, path, t));
  });
}

async function open(cmd: Extract<WorkerCommand, { cmd: 'open' }>): Promise<void> {
  closeAll();
  transport = cmd.transport;
  sampleEvery = Math.max(1, cmd.sampleEvery);
  notify = cmd.notify;
  const url = new URL(cmd.url);
  let next = 0;
  const opened: Conn[] = [];
  // A bounded number of handshakes in flight: the broker registers each consumer in its store.
  const worker = async () => {
    while (next < cmd.count) {
      next++;
      opened.push(await openOne(url, cmd.path, transport));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(32, cmd.count) }, worker));
  } finally {
    conns = opened;
  }
  reset();
}

function reset(): void {
  for (const c of conns) c.count = 0;
  total = 0;
  firstUs = 0;
  lastUs = 0;
  lastMin = -1;
  lag.reset();
  errors.length = 0;
}

function closeAll(): void {
  for (const c of conns) {
    c.ended = true;
    c.socket.destroy();
  }
  conns = [];
  ended = 0;
  reset();
}

function stats(): WorkerStats {
  let min = Infinity;
  let max = 0;
  for (const c of conns) {
    if (c.count < min) min = c.count;
    if (c.count > max) max = c.count;
  }
  return {
    connections: conns.length,
    ended,
    total,
    minPerConnection: conns.length ? min : 0,
    maxPerConnection: max,
    firstUs,
    lastUs,
    lag: lag.toData(),
    errors: [...errors],
  };
}

process.on('message', (raw) => {
  const cmd = raw as WorkerCommand;
  const ok = (extra: { stats?: WorkerStats } = {}) => send({ type: 'reply', id: cmd.id, ok: true, ...extra });
  switch (cmd.cmd) {
    case 'open':
      open(cmd).then(
        () => ok(),
        (err: unknown) => send({ type: 'reply', id: cmd.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
      );
      return;
    case 'reset':
      reset();
      return ok();
    case 'stats':
      return ok({ stats: stats() });
    case 'watch':
      watching = cmd.on;
      lastMin = -1;
      if (watching) reportProgress();
      return ok();
    case 'close':
      closeAll();
      return ok();
  }
});
// The bench process went away: nothing left to do.
process.on('disconnect', () => process.exit(0));
process.stdout.write(JSON.stringify({ msg: 'ready', pid: process.pid }) + '\n');
