/**
 * Raw HTTP over a TCP socket, for requests no well-behaved client would send: oversized or
 * trickled headers and bodies, bytes cut in odd pieces, half-closes and resets, a chosen source
 * address. The bytes go out exactly as given; responses are read off the wire by status line.
 */
import { connect, type Socket } from 'node:net';

export interface RawOpts {
  port: number;
  host?: string;
  /** Source address to connect from (any 127.x.y.z works on Linux loopback). */
  localAddress?: string;
  /** Give up (and fail) after this long without the server closing. */
  timeoutMs?: number;
}

/** Header fields of a head block (the lines after the status line), names lower-cased. */
function headerFields(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** The body when it arrived whole (Content-Length), else undefined. */
  body?: Buffer;
  /** The whole response is in: a sized body received, or a status that has no body. */
  complete: boolean;
}

const STATUS_LINE = /(?:^|\r\n)HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/g;

/** The responses in what a server sent: each status line, its headers, its body if sized.
 *  `head`: the request was a HEAD, so a Content-Length announces no body. */
export function readResponses(data: Buffer, head = false): RawResponse[] {
  const text = data.toString('latin1');
  const out: RawResponse[] = [];
  for (const m of text.matchAll(STATUS_LINE)) {
    const status = Number(m[1]);
    const headStart = m.index + m[0].length;
    const headEnd = text.indexOf('\r\n\r\n', headStart - 2);
    const headers = headEnd >= 0 ? headerFields(text.slice(headStart, headEnd)) : {};
    const length = Number(headers['content-length']);
    const bodyStart = headEnd + 4;
    const sized = headEnd >= 0 && !head && Number.isInteger(length) && bodyStart + length <= data.length;
    const body = sized ? data.subarray(bodyStart, bodyStart + length) : undefined;
    const bodiless = headEnd >= 0 && (head || status === 204 || status === 304 || (status >= 100 && status < 200 && status !== 101));
    const chunkedDone = headEnd >= 0 && headers['transfer-encoding'] === 'chunked' && text.indexOf('\r\n0\r\n\r\n', bodyStart - 2) >= 0;
    out.push({ status, headers, ...(body ? { body } : {}), complete: sized || bodiless || chunkedDone });
    // An upgrade hands the socket to another protocol: nothing after it is HTTP.
    if (status === 101) break;
  }
  return out;
}

export interface RawResult {
  status: number;
  headers: Record<string, string>;
  /** Everything after the first response's head, as text. */
  body: string;
  /** Everything received, as text. */
  text: string;
  /** Milliseconds from connect to the server closing the connection. */
  closedAfterMs: number;
}

/** The first response of `text` (what the broker sends for errors); status 0 if none is whole. */
export function parseResponse(text: string): Omit<RawResult, 'closedAfterMs' | 'text'> {
  const end = text.indexOf('\r\n\r\n');
  const first = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(text);
  if (end < 0) return { status: 0, headers: {}, body: '' };
  return { status: first ? Number(first[1]) : 0, headers: first ? headerFields(text.slice(first[0].length, end)) : {}, body: text.slice(end + 4) };
}

/** A connected socket, for tests that drive it by hand. */
export function rawConnect(opts: RawOpts): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: opts.port, host: opts.host ?? '127.0.0.1', ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Connects, lets `drive` write to the socket (it may keep writing: trickling; it may end or
 * reset it), and resolves with what came back once the connection is closed. Rejects when the
 * server keeps it open beyond `timeoutMs` (10 s).
 */
export function rawExchange(opts: RawOpts, drive: (socket: Socket) => void): Promise<RawResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect({ port: opts.port, host: opts.host ?? '127.0.0.1', ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within ${opts.timeoutMs ?? 10_000} ms; got: ${Buffer.concat(chunks).toString()}`));
    }, opts.timeoutMs ?? 10_000);
    socket.on('data', (d: Buffer) => chunks.push(d));
    // A reset after the answer counts as a close; writes of a trickle may fail once the server hung up.
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString();
      resolve({ ...parseResponse(text), text, closedAfterMs: Date.now() - started });
    });
    socket.once('connect', () => drive(socket));
  });
}

/** Sends `request` whole and waits for the server to answer and close (send Connection: close). */
export function rawRequest(opts: RawOpts, request: string): Promise<RawResult> {
  return rawExchange(opts, (socket) => socket.write(request));
}

/** Writes `pieces` one by one, `everyMs` apart, until they run out or the socket closes. */
export function trickle(socket: Socket, pieces: string[], everyMs: number): void {
  const next = () => {
    const piece = pieces.shift();
    if (piece === undefined || socket.destroyed) return;
    socket.write(piece);
    setTimeout(next, everyMs);
  };
  next();
}

/** Bytes to send in pieces (a slow or odd client), and how to end. */
export interface RawSend {
  /** The bytes, in the pieces they are written in. */
  pieces: Buffer[];
  /** Milliseconds between pieces (a slow client). */
  gapMs: number;
  /** Half-close after the last piece (true), or keep the socket open until the timeout. */
  end: boolean;
  /** The request method when it is a plain HTTP request (a HEAD reply has no body to read). */
  method?: string;
  /** More than one response may come (a wrong Content-Length leaves bytes that read as a second request). */
  waitAll?: boolean;
}

export interface RawReplies {
  responses: RawResponse[];
  /** Bytes received in all. */
  received: number;
  /** The socket failed (ECONNRESET...): not a broker fault by itself. */
  error?: string;
}

/**
 * Sends `s` on a fresh connection; resolves when the server closes, when a final response is
 * whole (unless `waitAll`), or after `timeoutMs`: never rejects.
 */
export function sendPieces(port: number, s: RawSend, timeoutMs: number): Promise<RawReplies> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let finished = false;
    const socket = connect({ host: '127.0.0.1', port });
    const timers: NodeJS.Timeout[] = [];
    const head = s.method === 'HEAD';
    const finish = () => {
      if (finished) return;
      finished = true;
      for (const t of timers) clearTimeout(t);
      socket.destroy();
      const data = Buffer.concat(chunks);
      resolve({ responses: readResponses(data, head), received: data.length, ...(error ? { error } : {}) });
    };
    timers.push(setTimeout(finish, timeoutMs));
    let sent = false;
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      // A final response that is whole, once everything was written: no need to wait for the timeout.
      if (!sent || s.waitAll === true) return;
      const last = readResponses(Buffer.concat(chunks), head).at(-1);
      if (last?.complete && last.status >= 200) finish();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
      finish();
    });
    socket.on('close', finish);
    socket.once('connect', () => {
      let i = 0;
      const next = () => {
        if (finished || socket.destroyed) return;
        if (i < s.pieces.length) {
          socket.write(s.pieces[i++]!);
          if (s.gapMs > 0) timers.push(setTimeout(next, s.gapMs));
          else next();
        } else {
          sent = true;
          if (s.end) socket.end();
        }
      };
      next();
    });
  });
}
