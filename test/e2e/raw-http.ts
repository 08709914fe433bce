/**
 * Raw HTTP over a TCP socket for edge tests: requests no well-behaved client would send
 * (oversized headers, trickled headers or bodies, a chosen source address).
 */
import { connect, type Socket } from 'node:net';

export interface RawResult {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Everything received, as text. */
  text: string;
  /** Milliseconds from connect to the server closing the connection. */
  closedAfterMs: number;
}

/** Parses one HTTP/1.1 response with a Content-Length (what the broker sends for errors). */
export function parseResponse(text: string): Omit<RawResult, 'closedAfterMs' | 'text'> {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return { status: 0, headers: {}, body: '' };
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine ?? '')?.[1] ?? 0), headers, body: text.slice(end + 4) };
}

export interface RawOpts {
  port: number;
  host?: string;
  /** Source address to connect from (any 127.x.y.z works on Linux loopback). */
  localAddress?: string;
  /** Give up (and fail) after this long without the server closing. */
  timeoutMs?: number;
}

/**
 * Connects, lets `drive` write to the socket (it may keep writing: trickling), and resolves
 * with what came back once the server closes the connection.
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
