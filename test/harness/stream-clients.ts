/**
 * Streaming clients for tests: COMET over raw HTTP, SSE parsed as EventSource does, and
 * WebSocket (ws). Each collects what it receives and lets a test wait for it with a timeout
 * (never a fixed sleep).
 */
import http from 'node:http';
import { WebSocket } from 'ws';
import { parseSse } from '../../src/protocols/stream/framing.js';
import { Waiters } from './wait.js';

export interface Received {
  key: string;
  value: string;
}

export abstract class StreamClient {
  readonly messages: Received[] = [];
  /** Raw lines/frames/events, including heartbeats and end markers. */
  readonly raw: string[] = [];
  ended = false;
  /** True once the `null` end line / end event / null frame arrived. */
  gotEnd = false;
  headers: http.IncomingHttpHeaders = {};
  status = 0;
  protected readonly waiters = new Waiters();

  waitForCount(n: number, timeoutMs = 5000): Promise<Received[]> {
    return this.waiters.wait(() => this.messages.length >= n, timeoutMs, () => `${n} messages (got ${this.messages.length})`).then(() => this.messages);
  }
  waitForEnd(timeoutMs = 5000): Promise<void> {
    return this.waiters.wait(() => this.ended, timeoutMs, () => 'the stream to end');
  }
  waitForRaw(pred: (raw: string) => boolean, timeoutMs = 5000): Promise<void> {
    return this.waiters.wait(() => this.raw.some(pred), timeoutMs, () => 'a matching frame');
  }
  protected push(m: Received): void {
    this.messages.push(m);
    this.waiters.notify();
  }
  protected markEnded(): void {
    this.ended = true;
    this.waiters.notify();
  }
  abstract close(): void;
}

/** Opens a streaming HTTP GET and resolves once the status line and headers arrived. */
function openHttp(url: string, headers: Record<string, string>, onData: (chunk: string) => void, onEnd: () => void): Promise<{ req: http.ClientRequest; res: http.IncomingMessage }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers, agent: false }, (res) => {
      res.setEncoding('utf8');
      res.on('data', onData);
      res.on('end', onEnd);
      res.on('close', onEnd);
      res.on('error', onEnd);
      resolve({ req, res });
    });
    req.on('error', reject);
  });
}

export class CometClient extends StreamClient {
  private buffer = '';
  private req: http.ClientRequest | undefined;
  res: http.IncomingMessage | undefined;

  static async open(base: string, queue: string, query = ''): Promise<CometClient> {
    const c = new CometClient();
    const { req, res } = await openHttp(`${base}/c/${queue}${query}`, {}, (d) => c.onData(d), () => c.markEnded());
    c.req = req;
    c.res = res;
    c.status = res.statusCode ?? 0;
    c.headers = res.headers;
    return c;
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let i: number;
    while ((i = this.buffer.indexOf('\r\n')) >= 0) {
      const line = this.buffer.slice(0, i);
      this.buffer = this.buffer.slice(i + 2);
      this.raw.push(line);
      if (line === '') {
        this.waiters.notify();
        continue;
      }
      const jsonp = /^[\w$.]+\((.*)\);$/.exec(line);
      const parsed = JSON.parse(jsonp ? jsonp[1]! : line) as Received | null;
      if (parsed === null) {
        this.gotEnd = true;
        this.waiters.notify();
      } else this.push({ key: parsed.key, value: parsed.value });
    }
  }

  close(): void {
    this.req?.destroy();
  }
}

export class SseClient extends StreamClient {
  private buffer = '';
  private req: http.ClientRequest | undefined;
  lastEventId: string | undefined;

  static async open(base: string, path: string): Promise<SseClient> {
    const c = new SseClient();
    const { req, res } = await openHttp(`${base}${path}`, { accept: 'text/event-stream' }, (d) => c.onData(d), () => c.markEnded());
    c.req = req;
    c.status = res.statusCode ?? 0;
    c.headers = res.headers;
    return c;
  }

  private onData(chunk: string): void {
    const { events, rest } = parseSse(this.buffer + chunk);
    this.buffer = rest;
    if (chunk.includes(':')) this.raw.push(chunk);
    for (const e of events) {
      if (e.event === 'end') {
        this.gotEnd = true;
        this.waiters.notify();
        continue;
      }
      if (e.id !== undefined) this.lastEventId = e.id;
      const parsed = JSON.parse(e.data) as Received;
      this.push({ key: parsed.key, value: parsed.value });
    }
    this.waiters.notify();
  }

  close(): void {
    this.req?.destroy();
  }
}

export class WsClient extends StreamClient {
  /** Text frames that are not envelopes (command replies, echoes). */
  readonly replies: string[] = [];
  pings = 0;

  private constructor(readonly socket: WebSocket) {
    super();
  }

  static open(base: string, queue: string, headers: Record<string, string> = {}): Promise<WsClient> {
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/ws/${queue}`, { headers });
    const c = new WsClient(socket);
    socket.on('message', (data) => c.onFrame(data.toString()));
    socket.on('ping', () => {
      c.pings++;
      c.raw.push('<ping>');
      c.waiters.notify();
    });
    socket.on('close', () => c.markEnded());
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(c));
      socket.once('error', reject);
      socket.once('unexpected-response', (_req, res) => reject(new Error(`websocket refused: ${res.statusCode}`)));
    });
  }

  private onFrame(text: string): void {
    this.raw.push(text);
    if (text === 'null') {
      this.gotEnd = true;
      this.waiters.notify();
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const p = parsed as Partial<Received> | undefined;
    if (p && typeof p === 'object' && typeof p.key === 'string' && typeof p.value === 'string' && Object.keys(p).length === 2) this.push({ key: p.key, value: p.value });
    else {
      this.replies.push(text);
      this.waiters.notify();
    }
  }

  /** Sends a text frame and resolves with the next non-envelope frame. */
  async request(text: string, timeoutMs = 5000): Promise<string> {
    const n = this.replies.length;
    this.socket.send(text);
    await this.waiters.wait(() => this.replies.length > n, timeoutMs, () => `a reply to ${text}`);
    return this.replies[n]!;
  }

  close(): void {
    this.socket.close();
  }
}
