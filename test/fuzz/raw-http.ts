/**
 * Raw HTTP over a `net` socket, for requests no well-behaved client would send: the bytes go
 * out exactly as given (in pieces, with gaps, optionally without an end), and every response
 * that comes back is read off the wire by status line.
 */
import { connect } from 'node:net';

export interface RawCase {
  /** What the case tries (for failure messages). */
  kind: string;
  /** The bytes, in the pieces they are written in. */
  pieces: Buffer[];
  /** Milliseconds between pieces (a slow client). */
  gapMs: number;
  /** Half-close after the last piece (true), or keep the socket open until the timeout. */
  end: boolean;
  /** The request method when it is a plain HTTP request (a HEAD reply has no body to read). */
  method?: string;
  /** The request path, for checks that depend on the route. */
  path?: string;
  /** More than one response may come (a wrong Content-Length leaves bytes that read as a second request). */
  waitAll?: boolean;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  /** The body when it arrived whole (Content-Length), else undefined. */
  body?: Buffer;
  /** The whole response is in: a sized body received, or a status that has no body. */
  complete: boolean;
}

export interface RawResult {
  responses: RawResponse[];
  /** Bytes received in all. */
  received: number;
  /** The socket failed (ECONNRESET...): not a broker fault by itself. */
  error?: string;
}

/** Cuts bytes into pieces at random places (a client writing in odd chunks). */
export function cut(bytes: Buffer, at: number[]): Buffer[] {
  const points = [...new Set(at.map((a) => a % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const p of points) {
    out.push(bytes.subarray(from, p));
    from = p;
  }
  out.push(bytes.subarray(from));
  return out.filter((b) => b.length > 0);
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
    const headers: Record<string, string> = {};
    if (headEnd >= 0) {
      for (const line of text.slice(headStart, headEnd).split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
    }
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

/** Sends one case on a fresh connection; resolves when the server closes or after `timeoutMs`. */
export function sendRaw(port: number, c: RawCase, timeoutMs: number): Promise<RawResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let finished = false;
    const socket = connect({ host: '127.0.0.1', port });
    const timers: NodeJS.Timeout[] = [];
    const head = c.method === 'HEAD';
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
      if (!sent || c.waitAll === true) return;
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
        if (i < c.pieces.length) {
          socket.write(c.pieces[i++]!);
          if (c.gapMs > 0) timers.push(setTimeout(next, c.gapMs));
          else next();
        } else {
          sent = true;
          if (c.end) socket.end();
        }
      };
      next();
    });
  });
}
