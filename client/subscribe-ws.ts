/**
 * WebSocket consumers (`/ws/<q>`, `?lease=` for leased delivery) with the `ws` package (Node
 * 20 has no global WebSocket). The broker sends one envelope per text frame and answers
 * JSON-protocol commands on the same socket; acks go that way, one at a time, because the
 * broker may answer concurrent commands out of order and an error reply names no receipt.
 */
import { WebSocket } from 'ws';
import { RestMQError, errorFromReply, statusOf } from './errors.js';
import type { HttpClient } from './http.js';
import type { Connect, Connection, StreamSink } from './subscription.js';
import type { Leasing, StreamMessage } from './types.js';

type Reply = Record<string, unknown>;

/** The JSON-protocol command channel of one socket: one command in flight at a time. */
export class WsCommands {
  private chain: Promise<unknown> = Promise.resolve();
  private pending: { resolve: (r: Reply) => void; reject: (e: unknown) => void } | undefined;
  /** Told when a command starts or ends waiting for its reply. */
  onBusy: (busy: boolean) => void = () => {};

  constructor(
    private readonly socket: WebSocket,
    private readonly timeoutMs: number,
  ) {
    socket.once('close', () => this.pending?.reject(new RestMQError('the WebSocket closed before the reply', 0, 'CONNECTION_FAILED')));
  }

  /** Set when a reply did not come in time: a late one could be taken for the next command's. */
  private broken = false;

  /** Whether commands can go over this socket (else the SDK uses HTTP). */
  get open(): boolean {
    return !this.broken && this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends a command and resolves with its reply; a broker error reply rejects. */
  run(command: Reply): Promise<Reply> {
    const next: Promise<Reply> = this.chain.then(
      () =>
        new Promise<Reply>((resolve, reject) => {
          if (!this.open) return reject(new RestMQError('the WebSocket is closed', 0, 'CONNECTION_FAILED'));
          const timer = setTimeout(() => {
            this.broken = true;
            this.pending = undefined;
            this.onBusy(false);
            reject(new RestMQError(`no reply to ${String(command['cmd'])} within ${this.timeoutMs} ms`, 0, 'TIMEOUT'));
          }, this.timeoutMs);
          const done = <A>(f: (a: A) => void) => (a: A) => {
            clearTimeout(timer);
            f(a);
          };
          this.pending = { resolve: done(resolve), reject: done(reject) };
          this.onBusy(true);
          this.socket.send(JSON.stringify(command));
        }),
    );
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** A frame that is not an envelope: the reply to the command in flight. */
  reply(frame: Reply): void {
    const p = this.pending;
    this.pending = undefined;
    if (!p) return;
    this.onBusy(false);
    if (typeof frame['code'] === 'string' && typeof frame['error'] === 'string') p.reject(errorFromReply(statusOf(frame['code']), JSON.stringify(frame)));
    else if (typeof frame['error'] === 'string') p.reject(new RestMQError(frame['error'], 200, 'COMMAND_FAILED'));
    else p.resolve(frame);
  }
}

function wsUrl(http: HttpClient, queue: string, leasing: Leasing): string {
  return http.url(`/ws/${encodeURIComponent(queue)}`, { lease: leasing.lease, prefetch: leasing.prefetch }).replace(/^http/, 'ws');
}

/** Stream envelopes carry `key` and `value` and never `queue`; command replies always do (or `error`). */
function isEnvelope(frame: Reply): boolean {
  return typeof frame['key'] === 'string' && typeof frame['value'] === 'string' && frame['queue'] === undefined && frame['error'] === undefined;
}

export function wsConnect<T>(http: HttpClient, queue: string, leasing: Leasing, wrap: (m: StreamMessage, commands: WsCommands) => T): Connect<T> {
  return (sink: StreamSink<T>, signal: AbortSignal, idleTimeoutMs: number): Promise<Connection> =>
    new Promise((resolveOpen, rejectOpen) => {
      const socket = new WebSocket(wsUrl(http, queue, leasing), { headers: http.headers });
      const commands = new WsCommands(socket, http.timeoutMs);
      let opened = false;
      let settle: { resolve: () => void; reject: (e: unknown) => void } | undefined;
      const closed = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
      closed.catch(() => undefined);
      const onAbort = () => socket.terminate();
      signal.addEventListener('abort', onAbort, { once: true });

      socket.on('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => rejectOpen(errorFromReply(res.statusCode ?? 0, body)));
        res.on('error', () => rejectOpen(errorFromReply(res.statusCode ?? 0, body)));
      });
      // A paused socket reads nothing, command replies included: while an ack waits for its
      // reply the socket reads on, or a reader awaiting ack() on a full buffer would deadlock.
      let wantPaused = false;
      let busy = false;
      // Frames and the broker's pings show the path is alive; a paused socket is not idle.
      let idle: NodeJS.Timeout | undefined;
      const alive = () => {
        clearTimeout(idle);
        if (idleTimeoutMs > 0 && !(wantPaused && !busy)) idle = setTimeout(() => socket.terminate(), idleTimeoutMs);
      };
      const apply = () => {
        if (wantPaused && !busy) socket.pause();
        else socket.resume();
        alive();
      };
      alive();
      socket.on('ping', alive);
      socket.on('pong', alive);
      commands.onBusy = (b) => {
        busy = b;
        apply();
      };
      socket.once('open', () => {
        opened = true;
        resolveOpen({
          closed,
          close: () => socket.close(1000),
          pause: () => {
            wantPaused = true;
            apply();
          },
          resume: () => {
            wantPaused = false;
            apply();
          },
        });
      });
      socket.on('message', (data, isBinary) => {
        alive();
        if (isBinary) return;
        const text = data.toString();
        if (text === 'null') return sink.deleted();
        let frame: Reply;
        try {
          frame = JSON.parse(text) as Reply;
        } catch {
          return; // an echo of something that was not a command: not ours
        }
        if (isEnvelope(frame)) sink.message(wrap(frame as unknown as StreamMessage, commands));
        else commands.reply(frame);
      });
      socket.on('error', (err) => {
        if (!opened) rejectOpen(new RestMQError(`cannot open ${wsUrl(http, queue, leasing)}: ${err.message}`, 0, 'CONNECTION_FAILED', { cause: err }));
      });
      socket.once('close', (code, reason) => {
        clearTimeout(idle);
        signal.removeEventListener('abort', onAbort);
        const why = reason.toString();
        // 1008: the broker refused the arguments (a bad queue name or lease): retrying cannot help.
        const err = code === 1008 ? new RestMQError(why || 'policy violation', 400, 'HTTP_ERROR') : new RestMQError(`the WebSocket closed (${code}${why ? ` ${why}` : ''})`, 0, 'CONNECTION_FAILED');
        if (!opened) rejectOpen(err);
        else if (code === 1008) settle?.reject(err);
        else settle?.resolve();
      });
    });
}
